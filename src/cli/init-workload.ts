// Shared by `pier svc init` and `pier job init`: gather what is missing (flags, or prompts on a
// terminal), write the manifest through the workspace scaffold, and say what to do next.
import {relative} from 'node:path'

import {UserError} from '../errors.js'
import {printStatus, success} from './output.js'
import {isInteractive, requireValue} from './prompt.js'
import type {WorkloadType} from '../manifest/types.js'
import {checkAppFlag} from '../app/check-app.js'
import {loadWorkspace, type WorkloadEntry} from '../workspace/find.js'
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

/**
 * `init` over a manifest that is already there (a teammate joining, or a workspace from Copilot): as
 * Copilot did, keep the file, take the type from it, and register the workload.
 */
function joinExisting(app: string, w: WorkloadEntry, flags: InitFlags, types: readonly WorkloadType[], kind: string, typeFlag: string): {app: string; name: string; type: WorkloadType} {
  const path = relative(process.cwd(), w.path) || w.path
  if (!types.includes(w.type)) {
    const other = w.type === 'Scheduled Job' ? 'job' : 'svc'
    throw new UserError(`${w.name} already exists and is a ${w.type || 'workload of unknown type'} (${path}), not a ${kind}`, {
      hint: w.type ? `Run \`pier ${other} init -n ${w.name}\` to register it.` : 'Fix the `type:` line of its manifest.',
    })
  }
  if (flags.type !== undefined && flags.type !== w.type) {
    throw new UserError(`${w.name} already exists as a ${w.type} (${path}): ${typeFlag} "${flags.type}" differs`, {hint: `Drop ${typeFlag}, or pass --force to overwrite the manifest.`})
  }
  const ignored = (['dockerfile', 'image', 'port', 'schedule', 'retries', 'timeout'] as const).filter((f) => flags[f] !== undefined)
  if (ignored.length) {
    throw new UserError(`${w.name} already has a manifest (${path}): ${ignored.map((f) => `--${f}`).join(', ')} would not be written into it`, {hint: 'Edit the manifest instead, or pass --force to overwrite it.'})
  }
  success(`Found the manifest of ${kind} "${w.name}" (${w.type}): ${path}; keeping it.`)
  return {app, name: w.name, type: w.type}
}

export async function runInitWorkload(flags: InitFlags, types: readonly WorkloadType[], typeFlag: string): Promise<{app: string; name: string; type: WorkloadType}> {
  const cwd = process.cwd()
  const ws = loadWorkspace(cwd)
  checkAppFlag(flags.app, ws.application)
  const kind = types.includes('Scheduled Job') ? 'job' : 'service'
  const existing = flags.name !== undefined && !flags.force ? ws.workloads.find((w) => w.name === flags.name) : undefined
  if (existing) return joinExisting(ws.application, existing, flags, types, kind, typeFlag)
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
