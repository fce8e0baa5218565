// The local CloudFormation engine: a 100-resource stack created from scratch, a no-op change set
// against it, and its deletion. The engine is bundled from source with esbuild (it is not a CLI entry)
// and driven in process through its query-service interface, with in-memory SSM behind it.
import * as esbuild from 'esbuild'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

function fakeApi() {
  const ssm = new Map()
  return {
    async json(target, op, input) {
      if (target !== 'AmazonSSM') throw Object.assign(new Error(`${target}.${op}`), {code: 'UnknownOperationException'})
      if (op === 'PutParameter') ssm.set(input.Name, input.Value)
      else if (op === 'DeleteParameter') ssm.delete(input.Name)
      else if (op === 'GetParameter') return {Parameter: {Name: input.Name, Value: ssm.get(input.Name)}}
      return {}
    },
    context: () => ({requestId: 'bench', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'bench'}),
  }
}

/** A VPC, 40 subnets carved with Fn::Cidr, 40 security groups and 19 SSM parameters naming them: 100 resources. */
function template() {
  const resources = {Vpc: {Type: 'AWS::EC2::VPC', Properties: {CidrBlock: '10.0.0.0/16'}}}
  for (let i = 0; i < 40; i++) {
    resources[`Subnet${i}`] = {Type: 'AWS::EC2::Subnet', Properties: {VpcId: {Ref: 'Vpc'},
      CidrBlock: {'Fn::Select': [i, {'Fn::Cidr': [{'Fn::GetAtt': ['Vpc', 'CidrBlock']}, 40, 8]}]},
      AvailabilityZone: {'Fn::Select': [i % 3, {'Fn::GetAZs': ''}]}}}
    resources[`Group${i}`] = {Type: 'AWS::EC2::SecurityGroup', Properties: {GroupDescription: {'Fn::Sub': 'group ${Subnet' + i + '}'}, VpcId: {Ref: 'Vpc'}}}
  }
  for (let i = 0; i < 19; i++) {
    resources[`Param${i}`] = {Type: 'AWS::SSM::Parameter', Properties: {Name: {'Fn::Sub': '/bench/${AWS::StackName}/' + i}, Type: 'String',
      Value: {'Fn::Join': [',', [{Ref: `Subnet${i}`}, {Ref: `Group${i}`}]]}}}
  }
  return JSON.stringify({Resources: resources, Outputs: {Vpc: {Value: {Ref: 'Vpc'}, Export: {Name: 'bench-vpc'}}}})
}

function flat(input) {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)]))
}

export default async function (ctx) {
  const dir = mkdtempSync(join(tmpdir(), 'pier-bench-cfn-'))
  try {
    const outfile = join(dir, 'cloudformation.mjs')
    await esbuild.build({entryPoints: [join(ctx.root, 'src/local/cloudformation/index.ts')], bundle: true, platform: 'node', format: 'esm',
      outfile, logLevel: 'silent', banner: {js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);"}})
    const {createCloudFormation} = await import(pathToFileURL(outfile).href)
    const api = fakeApi()
    const creates = []
    const noops = []
    const deletes = []
    const body = template()
    for (let run = 0; run < 5; run++) {
      const cfn = createCloudFormation({stateDir: join(dir, `state-${run}`), api, region: 'us-east-1', accountId: '000000000000'})
      const call = (action, input) => cfn.service.handle(action, flat(input), api.context())
      let t = performance.now()
      await call('CreateStack', {StackName: 'bench', TemplateBody: body})
      await cfn.idle()
      creates.push(performance.now() - t)
      const status = (await call('DescribeStacks', {StackName: 'bench'})).Stacks[0].StackStatus
      if (status !== 'CREATE_COMPLETE') throw new Error(`the bench stack ended ${status}`)
      t = performance.now()
      const {Id} = await call('CreateChangeSet', {StackName: 'bench', ChangeSetName: `noop${run}`, UsePreviousTemplate: true})
      const cs = await call('DescribeChangeSet', {ChangeSetName: Id})
      noops.push(performance.now() - t)
      if (cs.Status !== 'FAILED') throw new Error('the no-op change set found changes')
      t = performance.now()
      await call('DeleteStack', {StackName: 'bench'})
      await cfn.idle()
      deletes.push(performance.now() - t)
      await cfn.close()
    }
    const create = ctx.stats(creates)
    const noop = ctx.stats(noops)
    const del = ctx.stats(deletes)
    return [
      {id: 'create-100', label: 'CloudFormation: create a 100-resource stack (p50)', value: Math.round(create.p50), unit: 'ms', target: 1500,
        note: `min ${Math.round(create.min)} / max ${Math.round(create.max)} over ${create.n} runs`},
      {id: 'noop-change-set', label: 'CloudFormation: no-op change set on it (p50)', value: Math.round(noop.p50 * 10) / 10, unit: 'ms', target: 100,
        note: `max ${Math.round(noop.max)} ms`},
      {id: 'delete-100', label: 'CloudFormation: delete the 100-resource stack (p50)', value: Math.round(del.p50), unit: 'ms', target: 1500},
    ]
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
