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

  /** The process group leaders recorded for an owner (a task's containers). */
  pidsOf(owner: string): number[] {
    return (this.tracked.get(owner) ?? []).map((p) => p.pid)
  }

  forget(owner: string): void {
    this.tracked.delete(owner)
    rmSync(join(this.dir, `${owner}.json`), {force: true})
  }

  private write(owner: string): void {
    writeFileSync(join(this.dir, `${owner}.json`), JSON.stringify(this.tracked.get(owner)))
  }
}

function killGroupOrProcess(pid: number): boolean {
  try {
    process.kill(-pid, 'SIGKILL')
    return true
  } catch {
    try {
      process.kill(pid, 'SIGKILL')
      return true
    } catch {
      return false
    }
  }
}

/** Processes carrying this agent's marker that no record names: started in the instant before a
 * crash, before their pid was written, or escaped from their process group (setsid). */
function unrecordedWithMarker(marker: string, skip: Set<number>): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e))
  } catch {
    return []
  }
  return entries.map(Number).filter((pid) => pid !== process.pid && !skip.has(pid) && hasMarker(pid, marker))
}

/** Kills the processes whose environment has every one of `vars` (`NAME=value`), e.g. one container's. */
export function killProcessesWith(vars: string[]): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e))
  } catch {
    return []
  }
  const killed: number[] = []
  for (const pid of entries.map(Number)) {
    if (pid === process.pid) continue
    let env: string[]
    try {
      env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
    } catch {
      continue
    }
    if (vars.every((v) => env.includes(v)) && killGroupOrProcess(pid)) killed.push(pid)
  }
  return killed
}

/** Kills every process that carries the agent's marker for `stateDir` (e.g. one that escaped its
 * process group with setsid). Returns their pids. */
export function killMarked(stateDir: string, except: Set<number> = new Set()): number[] {
  return unrecordedWithMarker(agentMarker(stateDir), except).filter(killGroupOrProcess)
}

/**
 * Kills every process group a previous agent on `stateDir` left running (a crashed control plane),
 * after checking each pid still names that process, then any other process carrying the agent's
 * marker for this state directory. Call it before the new agent starts tasks. Returns the pids killed.
 */
export function cleanupOrphans(stateDir: string): number[] {
  const dir = join(stateDir, 'agent', 'pids')
  const marker = agentMarker(stateDir)
  const killed: number[] = []
  let files: string[] = []
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'))
  } catch {
    // no records: only the marker scan below applies
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
      if (killGroupOrProcess(p.pid)) killed.push(p.pid)
    }
    rmSync(join(dir, file), {force: true})
  }
  killed.push(...killMarked(stateDir, new Set(killed)))
  return killed
}
