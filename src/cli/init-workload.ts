// Shared by `pier svc init` and `pier job init`: gather what is missing (flags, or prompts on a
// terminal), write the manifest through the workspace scaffold, and say what to do next.
import {UserError} from '../errors.js'
import {printStatus, success} from './output.js'
import {isInteractive, requireValue} from './prompt.js'
import type {WorkloadType} from '../manifest/types.js'
import {checkAppFlag} from '../app/check-app.js'
import {loadWorkspace} from '../workspace/find.js'
import {type WorkloadOptions, writeWorkloadManifest} from '../workspace/scaffold.js'

export interface InitFlags {
  app?: string
  name?: string
  type?: string
  dockerfile?: string
  image?: string
  port?: number
  schedule?: string
  retries?: number
  timeout?: string
  force?: boolean
}

export async function runInitWorkload(flags: InitFlags, types: readonly WorkloadType[], typeFlag: string): Promise<{app: string; name: string; type: WorkloadType}> {
  const cwd = process.cwd()
  const ws = loadWorkspace(cwd)
  checkAppFlag(flags.app, ws.application)
  const kind = types.includes('Scheduled Job') ? 'job' : 'service'
  const type = (types.length === 1 ? types[0]! : await requireValue(flags.type, {flag: typeFlag, question: `Which type of ${kind}?`, choices: types, example: JSON.stringify(types[0])})) as WorkloadType
  if (!types.includes(type)) {
    throw new UserError(`"${type}" is not a ${kind} type Pier can create: Pier deploys ${types.join(', ')}`, {hint: `Pass ${typeFlag} with one of: ${types.map((t) => JSON.stringify(t)).join(', ')}.`})
  }
  const name = await requireValue(flags.name, {flag: '--name', question: `What is the ${kind} called?`, example: kind === 'job' ? 'report' : 'web'})
  let {dockerfile, image} = flags
  if (dockerfile === undefined && image === undefined) {
    if (!isInteractive()) throw new UserError(`missing --dockerfile or --image: the ${kind} needs an image`, {hint: 'Pass --dockerfile ./path/to/Dockerfile to build one, or --image repository/image:tag to use an existing one.'})
    const source = await requireValue(undefined, {flag: '--dockerfile', question: 'Path of the Dockerfile, or an image URI (with a tag or registry)?'})
    if (/[:@]/.test(source) && !source.endsWith('Dockerfile')) image = source
    else dockerfile = source
  }
  const schedule = type === 'Scheduled Job' ? await requireValue(flags.schedule, {flag: '--schedule', question: 'When should it run (e.g. @daily, @every 1h, "0 9 * * 1-5")?', example: '"@every 1h"'}) : undefined
  const opts: WorkloadOptions = {
    name, type, cwd, force: Boolean(flags.force),
    ...(dockerfile !== undefined ? {dockerfile} : {}), ...(image !== undefined ? {image} : {}), ...(flags.port !== undefined ? {port: flags.port} : {}),
    ...(schedule !== undefined ? {schedule} : {}), ...(flags.retries !== undefined ? {retries: flags.retries} : {}), ...(flags.timeout !== undefined ? {timeout: flags.timeout} : {}),
  }
  const r = writeWorkloadManifest(ws, opts)
  success(r.created ? `Wrote the manifest of ${kind} "${name}" (${type}): ${r.path}` : `The manifest of ${kind} "${name}" is already up to date: ${r.path}`)
  const env = ws.environments.includes('test') ? 'test' : (ws.environments[0] ?? 'test')
  printStatus(`Next: review it, run \`pier validate -n ${name}\`, then deploy with \`pier ${kind === 'job' ? 'job' : 'svc'} deploy -n ${name} -e ${env}\`.`)
  return {app: ws.application, name, type}
}
