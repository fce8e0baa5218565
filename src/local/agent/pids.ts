// Records every process the agent starts, so a control plane that crashed can kill what it left
// behind. A pid is only trusted while it names the same process: same start time in /proc, and the
// agent's marker in its environment (pids are reused).

import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

export const AGENT_MARKER_VAR = 'PIER_AGENT_ID'

export interface TrackedProcess {
  pid: number
  startTime: string
  label: string
}

/** A marker unique to one state directory, set in every task process's environment. */
export function agentMarker(stateDir: string): string {
  return createHash('sha256').update(stateDir).digest('hex').slice(0, 16)
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

function hasMarker(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${AGENT_MARKER_VAR}=${marker}`)
  } catch {
    return false
  }
}

export class PidRegistry {
  readonly dir: string
  private readonly tracked = new Map<string, TrackedProcess[]>()

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'agent', 'pids')
    mkdirSync(this.dir, {recursive: true})
  }

  add(owner: string, pid: number, label: string): void {
    const list = this.tracked.get(owner) ?? []
    list.push({pid, startTime: processStartTime(pid) ?? '', label})
    this.tracked.set(owner, list)
    this.write(owner)
  }

  remove(owner: string, pid: number): void {
    const list = (this.tracked.get(owner) ?? []).filter((p) => p.pid !== pid)
    if (list.length === 0) this.forget(owner)
    else {
      this.tracked.set(owner, list)
      this.write(owner)
    }
  }

  forget(owner: string): void {
    this.tracked.delete(owner)
    rmSync(join(this.dir, `${owner}.json`), {force: true})
  }

  private write(owner: string): void {
    writeFileSync(join(this.dir, `${owner}.json`), JSON.stringify(this.tracked.get(owner)))
  }
}

/**
 * Kills every process group a previous agent on `stateDir` left running (a crashed control plane),
 * after checking each pid still names that process. Returns the pids killed.
 */
export function cleanupOrphans(stateDir: string): number[] {
  const dir = join(stateDir, 'agent', 'pids')
  const marker = agentMarker(stateDir)
  const killed: number[] = []
  let files: string[]
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'))
  } catch {
    return killed
  }
  for (const file of files) {
    let list: TrackedProcess[] = []
    try {
      list = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TrackedProcess[]
    } catch {
      // A torn record from the crash: nothing in it can be trusted.
    }
    for (const p of list) {
      if (!p.startTime || processStartTime(p.pid) !== p.startTime || !hasMarker(p.pid, marker)) continue
      try {
        process.kill(-p.pid, 'SIGKILL')
      } catch {
        try {
          process.kill(p.pid, 'SIGKILL')
        } catch {
          continue
        }
      }
      killed.push(p.pid)
    }
    rmSync(join(dir, file), {force: true})
  }
  return killed
}
