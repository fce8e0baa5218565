import {existsSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {checkAppFlag} from '../../app/check-app.js'
import type {ReconstructedPart} from '../../app/environment-reconstruct.js'
import {awsFlags, awsOptions, awsTargetGiven} from '../../cli/aws-flags.js'
import {PierCommand} from '../../cli/base-command.js'
import {registerAfterInit} from '../../cli/register.js'
import {UserError} from '../../errors.js'
import {printStatus, success} from '../../cli/output.js'
import {requireValue} from '../../cli/prompt.js'
import {loadWorkspace} from '../../workspace/find.js'
import {environmentManifestPath} from '../../workspace/read.js'
import {writeEnvironmentManifest, writeEnvironmentManifestBody} from '../../workspace/scaffold.js'

/** The environment's manifest rebuilt from its record and stack, when they say anything. */
async function rebuiltManifest(flags: Parameters<typeof awsOptions>[0], env: string): Promise<{text: string; parts: ReconstructedPart[]} | undefined> {
  const [{createAwsClients}, {appContext}, {reconstructedManifest}, {realTiming}] = await Promise.all([
    import('../../aws/clients.js'), import('../../app/context.js'), import('../../app/environment-manifest.js'), import('../../deploy/timing.js'),
  ])
  const aws = await createAwsClients(awsOptions(flags))
  const cwd = process.cwd()
  const shown = await reconstructedManifest(appContext({aws, emit: () => {}, timing: realTiming, cwd}), loadWorkspace(cwd), env)
  return shown.text && shown.parts.length ? {text: shown.text, parts: shown.parts} : undefined
}

export default class EnvInit extends PierCommand {
  static override summary = 'Write the manifest of a new environment.'
  static override description = 'Writes copilot/environments/NAME/manifest.yml. By default Pier creates a VPC for the environment; pass --import-vpc-id with subnets to use an existing one. The environment is created in AWS (or locally) when it is first deployed. When the manifest already exists (a teammate joining, or a workspace from Copilot), it is kept and the environment is registered. When it does not but the environment is deployed (Copilot before v1.21 kept no environment manifests) and an AWS target is given, the manifest written is the one rebuilt from the environment\'s record and stack.'
  static override examples = [
    {description: 'A "test" environment with a new VPC.', command: '<%= config.bin %> <%= command.id %> --name test'},
    {description: 'An environment in an existing VPC.', command: '<%= config.bin %> <%= command.id %> --name prod --import-vpc-id vpc-0abc --import-public-subnets subnet-1,subnet-2 --import-private-subnets subnet-3,subnet-4'},
  ]
  static override flags = {
    app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
    name: Flags.string({char: 'n', description: 'Name of the environment, e.g. test or prod.'}),
    'import-vpc-id': Flags.string({description: 'ID of an existing VPC to use.'}),
    'import-public-subnets': Flags.string({description: 'Public subnet IDs of the imported VPC, comma-separated.'}),
    'import-private-subnets': Flags.string({description: 'Private subnet IDs of the imported VPC, comma-separated.'}),
    'override-vpc-cidr': Flags.string({description: 'CIDR of the VPC Pier creates (default 10.0.0.0/16).'}),
    'import-cert-arns': Flags.string({description: 'ACM certificate ARNs for the public load balancer, comma-separated.'}),
    'container-insights': Flags.boolean({description: 'Turn on CloudWatch Container Insights.'}),
    'default-config': Flags.boolean({description: 'Use the default configuration without asking (accepted for Copilot compatibility; Pier never asks about it).'}),
    force: Flags.boolean({description: 'Overwrite an existing manifest.'}),
    ...awsFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvInit)
    const ws = loadWorkspace(process.cwd())
    checkAppFlag(flags.app, ws.application)
    const name = await requireValue(flags.name, {flag: '--name', question: 'What is the environment called?', example: 'test'})
    const list = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [])
    const vpcId = flags['import-vpc-id']
    if (!vpcId && (flags['import-public-subnets'] || flags['import-private-subnets'])) {
      throw new UserError('subnets to import were given without a VPC: --import-public-subnets and --import-private-subnets need --import-vpc-id', {hint: 'Pass --import-vpc-id vpc-... as well.'})
    }
    if (vpcId && flags['override-vpc-cidr']) {
      throw new UserError('--override-vpc-cidr cannot be combined with --import-vpc-id: an imported VPC keeps its own CIDR', {hint: 'Pass one of the two.'})
    }
    const certs = list(flags['import-cert-arns'])
    const path = environmentManifestPath(ws, name)
    if (existsSync(path) && !flags.force) {
      // A teammate joining, or a workspace from Copilot: keep the manifest and register the environment.
      const given = ['import-vpc-id', 'import-public-subnets', 'import-private-subnets', 'override-vpc-cidr', 'import-cert-arns', 'container-insights'].filter((f) => flags[f as keyof typeof flags] !== undefined && flags[f as keyof typeof flags] !== false)
      if (given.length) {
        throw new UserError(`environment "${name}" already has a manifest (${path}): ${given.map((f) => `--${f}`).join(', ')} would not be written into it`, {hint: 'Edit the manifest instead, or pass --force to overwrite it.'})
      }
      success(`Found the manifest of environment "${name}": ${path}; keeping it.`)
      await registerAfterInit(flags, {kind: 'env', app: ws.application, env: name})
      return
    }
    // An environment that is deployed but has no manifest here (Copilot before v1.21 kept none): its
    // manifest is the one rebuilt from its record and stack, not a default that would replace its VPC.
    const configured = ['import-vpc-id', 'override-vpc-cidr', 'import-cert-arns', 'container-insights'].some((f) => flags[f as keyof typeof flags])
    if (!configured && !flags.force && awsTargetGiven(flags)) {
      const rebuilt = await rebuiltManifest(flags, name)
      if (rebuilt) {
        const w = writeEnvironmentManifestBody(ws, name, rebuilt.text, ['Rebuilt from what is deployed (Copilot before v1.21 kept no environment manifest):', ...rebuilt.parts.map((p) => `  ${p.field}: ${p.from}`)])
        success(`Wrote the manifest of environment "${name}" rebuilt from what is deployed: ${w.path}`)
        await registerAfterInit(flags, {kind: 'env', app: ws.application, env: name})
        return
      }
    }
    const r = writeEnvironmentManifest(ws, name, {
      ...(vpcId ? {importVpc: {id: vpcId, publicSubnets: list(flags['import-public-subnets']), privateSubnets: list(flags['import-private-subnets'])}} : {}),
      ...(flags['override-vpc-cidr'] ? {cidr: flags['override-vpc-cidr']} : {}),
      ...(certs.length ? {certificates: certs} : {}),
      containerInsights: flags['container-insights'],
      force: flags.force,
    })
    success(r.created ? `Wrote the manifest of environment "${name}": ${r.path}` : `The manifest of environment "${name}" is already up to date: ${r.path}`)
    await registerAfterInit(flags, {kind: 'env', app: ws.application, env: name})
    printStatus(`Next: add a service with \`pier svc init\`, and check everything with \`pier validate\`.`)
  }
}
