// A web service stack on the whole local control plane, driven through the frontend with the AWS SDK:
// create (cluster, load balancer, listener rule, task definition, two-task service) until the first
// HTTP 200 through the local load balancer, then an update of a variable (a rolling replacement of both
// tasks) while a client polls the endpoint, counting failed requests.
import * as esbuild from 'esbuild'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function get(url) {
  try {
    const res = await fetch(url, {signal: AbortSignal.timeout(2000)})
    return {status: res.status, text: await res.text()}
  } catch (error) {
    return {status: 0, text: String(error.message)}
  }
}

export default async function (ctx) {
  const dir = mkdtempSync(join(tmpdir(), 'pier-bench-web-'))
  let cp
  try {
    const outfile = join(dir, 'assemble.mjs')
    await esbuild.build({entryPoints: [join(ctx.root, 'src/local/assemble.ts')], bundle: true, platform: 'node', format: 'esm', outfile,
      logLevel: 'silent', banner: {js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);"}})
    const {startLocalControlPlane} = await import(pathToFileURL(outfile).href)
    const {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} = {LOCAL_ACCESS_KEY_ID: 'PIERLOCALACCESSKEY00', LOCAL_SECRET_ACCESS_KEY: 'pier-local-secret-access-key'}
    cp = await startLocalControlPlane({stateDir: join(dir, 'state'), port: 0, log: () => undefined})
    const sdk = await import('@aws-sdk/client-cloudformation')
    const cfn = new sdk.CloudFormationClient({endpoint: cp.endpoint, region: 'us-east-1',
      credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
    const body = readFileSync(join(ctx.root, 'test/local/cloudformation/fixtures/web-service.yaml'), 'utf8')
    const params = (v) => [{ParameterKey: 'Version', ParameterValue: v}]
    const describe = async () => (await cfn.send(new sdk.DescribeStacksCommand({StackName: 'bench-web'}))).Stacks[0]

    let t0 = performance.now()
    await cfn.send(new sdk.CreateStackCommand({StackName: 'bench-web', TemplateBody: body, Parameters: params('v1')}))
    let stack
    while ((stack = await describe()).StackStatus.endsWith('_IN_PROGRESS')) await sleep(25)
    const createComplete = performance.now() - t0
    if (stack.StackStatus !== 'CREATE_COMPLETE') throw new Error(`the web stack ended ${stack.StackStatus}`)
    const url = stack.Outputs.find((o) => o.OutputKey === 'Url').OutputValue
    let first
    while ((first = await get(url)).status !== 200) await sleep(10)
    const firstOk = performance.now() - t0

    let polling = true
    let requests = 0
    const failures = []
    const poller = (async () => {
      while (polling) {
        const r = await get(url)
        requests++
        if (r.status !== 200) failures.push(r.status)
        await sleep(20)
      }
    })()
    t0 = performance.now()
    await cfn.send(new sdk.UpdateStackCommand({StackName: 'bench-web', TemplateBody: body, Parameters: params('v2')}))
    while ((stack = await describe()).StackStatus.endsWith('_IN_PROGRESS')) await sleep(25)
    const updated = performance.now() - t0
    polling = false
    await poller
    const served = await get(url)
    if (stack.StackStatus !== 'UPDATE_COMPLETE' || served.text !== 'v2') throw new Error(`the update ended ${stack.StackStatus} serving ${served.text}`)
    await cfn.send(new sdk.DeleteStackCommand({StackName: 'bench-web'}))
    return [
      {id: 'web-stack-first-200', label: 'Web stack: create until HTTP 200 through the local load balancer', value: Math.round(firstOk), unit: 'ms',
        target: 3000, note: `CREATE_COMPLETE after ${Math.round(createComplete)} ms; ECS counts a task healthy once its target passes the health checks`},
      {id: 'web-stack-rolling-update-failures', label: 'Web stack: failed requests during a rolling update', value: failures.length, unit: 'requests',
        target: 0, note: `${requests} requests while UPDATE_COMPLETE took ${Math.round(updated)} ms${failures.length ? `; failed with ${failures.map((f) => (f === 0 ? 'no response in 2 s' : `HTTP ${f}`)).join(', ')}` : ''}`},
    ]
  } finally {
    await cp?.close()
    rmSync(dir, {recursive: true, force: true})
  }
}
