// Shared by `pier svc override` and `pier env override`.
import {Flags} from '@oclif/core'

import {checkAppFlag} from '../app/check-app.js'
import {initOverrides} from '../app/override-init.js'
import {workspaceManifests} from '../app/workspace-manifests.js'
import type {OverrideTool} from '../addons/override-scaffold.js'
import {printStatus, success, useColor} from './output.js'
import {requireValue} from './prompt.js'

export const overrideFlags = {
  app: Flags.string({char: 'a', description: 'Name of the application (must match copilot/.workspace).'}),
  tool: Flags.string({description: 'How to override the template: YAML patches or a CDK application.', options: ['yamlpatch', 'cdk']}),
  resources: Flags.string({description: 'Logical IDs of the resources the CDK application transforms (comma-separated).', multiple: true}),
  'skip-resources': Flags.boolean({description: 'Scaffold the CDK application without transforms.', exclusive: ['resources']}),
}

export async function runOverride(kind: 'workload' | 'environment', flags: {app?: string; name?: string; env?: string; tool?: string; resources?: string[]; 'skip-resources'?: boolean}): Promise<void> {
  const cwd = process.cwd()
  const src = workspaceManifests(cwd, {color: useColor(process.stderr)})
  checkAppFlag(flags.app, src.application)
  const names = src.workloads.map((w) => w.name)
  const workload = kind === 'workload' ? await requireValue(flags.name, {flag: '--name', question: 'Which workload?', choices: names, example: names[0] ?? 'web'}) : undefined
  const tool = (await requireValue(flags.tool, {flag: '--tool', question: 'How do you want to override the template?', choices: ['yamlpatch', 'cdk'], example: 'yamlpatch'})) as OverrideTool
  const env = kind === 'environment' ? await requireValue(flags.name, {flag: '--name', question: 'Which environment is rendered to list resources?', choices: src.environments, example: src.environments[0] ?? 'test'}) : (flags.env ?? src.environments[0] ?? 'test')
  const resources = (flags.resources ?? []).flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean)
  const written = initOverrides({src, ...(workload ? {workload} : {}), env, tool, resources, cwd})
  for (const p of written) success(`Wrote ${p}`)
  const pkg = kind === 'workload' ? `pier svc package -n ${workload} -e ${env}` : `pier env package -n ${env}`
  printStatus(tool === 'yamlpatch'
    ? `Next: write patches in cfn.patches.yml, then check the result with \`${pkg}\`.`
    : `Next: change the resources in stack.ts, then check the result with \`${pkg}\` (it runs npm install and cdk synth).`)
}
