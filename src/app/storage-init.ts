// `pier storage init`: write the addon templates of a storage resource into the workspace. A file that
// exists already is left alone: kept when it holds the same text, an error otherwise (the user may
// have edited it), with the text it should hold.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'

import {type StorageOptions, StorageOptionError, type StorageResult, storageFiles} from '../addons/storage.js'
import {UserError} from '../errors.js'
import {loadWorkspace} from '../workspace/find.js'

export interface StorageInitResult extends StorageResult {
  written: string[]
  unchanged: string[]
}

export function initStorage(cwd: string, opts: Omit<StorageOptions, 'environments' | 'workloadExists'>): StorageInitResult {
  const ws = loadWorkspace(cwd)
  const workloadExists = ws.workloads.some((w) => w.name === opts.workload)
  if (!workloadExists && (opts.lifecycle === 'workload' || opts.ingressOnly)) {
    throw new UserError(`workload ${opts.workload} is not in this workspace: there is no copilot/${opts.workload}/manifest.yml`, {
      hint: opts.ingressOnly ? `Run \`pier storage init --add-ingress-from ${opts.workload}\` in the workspace where ${opts.workload} is.` : 'Create it first with `pier svc init`, or name an existing workload with --workload.',
    })
  }
  let result: StorageResult
  try {
    result = storageFiles({...opts, environments: ws.environments, workloadExists})
  } catch (error) {
    if (error instanceof StorageOptionError) throw new UserError(error.message, {hint: error.hint})
    throw error
  }
  const written: string[] = []
  const unchanged: string[] = []
  for (const f of result.files) {
    const path = join(ws.copilotDir, f.path)
    const shown = relative(cwd, path) || path
    if (existsSync(path)) {
      if (readFileSync(path, 'utf8') === f.content) {
        unchanged.push(shown)
        continue
      }
      throw new UserError(`${shown} already exists: storage init does not overwrite an addon file`, {hint: `Check that it holds:\n${f.content}`})
    }
    mkdirSync(dirname(path), {recursive: true})
    writeFileSync(path, f.content)
    written.push(shown)
  }
  return {...result, written, unchanged}
}
