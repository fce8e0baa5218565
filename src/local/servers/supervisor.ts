// The supervisor of the real servers stacks create (PostgreSQL, MariaDB, Redis): each runs as its own
// process group on a loopback port, with its data under `<stateDir>/servers/<id>/`. The list of servers
// is a document of record (`servers/servers.json`), so a restarted control plane starts them again on
// the same ports with the same data; deleting a server stops it and removes its directory.

import {spawn, type ChildProcess} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync} from 'node:fs'
import {createServer, connect} from 'node:net'
import {join} from 'node:path'
import {JsonDocument, readJsonFile} from '../store/json-file.js'
import {postgresReady} from './readiness.js'

export interface ServerRecord {
  /** Unique, filesystem-safe: the directory's name under `servers/`. */
  id: string
  kind: 'postgres' | 'mariadb' | 'redis'
  /** The full command line. */
  command: string[]
  port: number
  /** Signal for a fast, clean stop (PostgreSQL: SIGINT, its "fast" shutdown). */
  stopSignal: NodeJS.Signals
  pid?: number
  /** The process's start time (clock ticks since boot, from /proc): with the pid, it identifies the
   * process after a restart even when the server rewrites its command line (Redis does). */
  startTicks?: string
}

export interface ServerSupervisorOptions {
  stateDir: string
  log?: (line: string) => void
  /** How long a server may take to accept connections. */
  readyTimeoutMs?: number
}

/** A process's start time, or undefined when it is gone or a zombie. */
function startTicks(pid: number | undefined): string | undefined {
  if (!pid) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined
    return fields[19]
  } catch {
    return undefined
  }
}

function alive(r: ServerRecord): boolean {
  const ticks = startTicks(r.pid)
  return ticks !== undefined && ticks === r.startTicks
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as {port: number}).port
      srv.close(() => resolve(port))
    })
  })
}

/** Whether something accepts TCP connections on 127.0.0.1:port. A connection from the port to itself
 * (TCP's simultaneous open, which loopback allows when the kernel picks the same ephemeral port as the
 * source) is not a server. */
export function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({host: '127.0.0.1', port})
    sock.once('connect', () => {
      const self = sock.localPort === port
      sock.destroy()
      resolve(!self)
    })
    sock.once('error', () => resolve(false))
  })
}

/** Stops a server's process group with its stop signal, then SIGKILL after 15 s; resolves once it is gone. */
async function stopServerProcess(r: ServerRecord): Promise<void> {
  const pid = r.pid
  if (!alive(r)) return
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid!, sig)
    } catch {
      try {
        process.kill(pid!, sig)
      } catch {
        // Already gone.
      }
    }
  }
  signal(r.stopSignal)
  for (let waited = 0; alive(r); waited += 25) {
    if (waited === 15_000) signal('SIGKILL')
    await sleep(25)
  }
  // The port is free for the next start once nothing answers on it any more.
  for (let waited = 0; waited < 5000 && (await accepting(r.port)); waited += 25) await sleep(25)
}

/** Stops the servers recorded in a state directory whose control plane is not running (killed with
 * SIGKILL, it could not stop them), so `pier local stop` and `reset` leave no server behind. */
export async function stopLeftoverServers(stateDir: string): Promise<void> {
  const records = readJsonFile<ServerRecord[]>(join(stateDir, 'servers', 'servers.json'), [])
  await Promise.all(records.map((r) => stopServerProcess(r)))
}

export class ServerSupervisor {
  readonly root: string
  private readonly doc: JsonDocument<ServerRecord[]>
  private readonly records = new Map<string, ServerRecord>()
  private readonly children = new Map<string, ChildProcess>()
  private readonly log: (line: string) => void
  private closing = false

  constructor(private readonly opts: ServerSupervisorOptions) {
    this.root = join(opts.stateDir, 'servers')
    mkdirSync(this.root, {recursive: true, mode: 0o700})
    this.doc = new JsonDocument<ServerRecord[]>(join(this.root, 'servers.json'), [])
    for (const r of this.doc.value) this.records.set(r.id, r)
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`))
  }

  /** The directory a server keeps its data and log in. */
  dir(id: string): string {
    return join(this.root, id)
  }

  get(id: string): ServerRecord | undefined {
    return this.records.get(id)
  }

  list(): ServerRecord[] {
    return [...this.records.values()]
  }

  private save(): void {
    this.doc.value = [...this.records.values()]
    this.doc.save()
  }

  /** Records the server and starts it; resolves once it accepts connections. */
  async start(record: Omit<ServerRecord, 'pid'>): Promise<ServerRecord> {
    const r: ServerRecord = {...record}
    this.records.set(r.id, r)
    this.save()
    await this.launch(r)
    return r
  }

  private async launch(r: ServerRecord): Promise<void> {
    const dir = this.dir(r.id)
    mkdirSync(dir, {recursive: true, mode: 0o700})
    const out = openSync(join(dir, 'server.log'), 'a')
    let child: ChildProcess
    try {
      child = spawn(r.command[0]!, r.command.slice(1), {detached: true, stdio: ['ignore', out, out], cwd: dir})
    } finally {
      closeSync(out)
    }
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new Error(`${r.command[0]} could not start: ${err.message}`)))
      child.once('exit', (code, signal) => reject(new Error(`${r.kind} exited at start (${signal ?? `code ${code}`}): ${this.tail(r.id)}`)))
    })
    failed.catch(() => undefined)
    r.pid = child.pid
    r.startTicks = startTicks(child.pid)
    this.children.set(r.id, child)
    this.save()
    child.once('exit', (code, signal) => {
      this.children.delete(r.id)
      if (!this.closing && this.records.get(r.id) === r && r.pid === child.pid) {
        this.log(`server ${r.id} (${r.kind}, port ${r.port}) exited (${signal ?? `code ${code}`}); see ${join(dir, 'server.log')}`)
      }
    })
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 30_000)
    for (;;) {
      const ready = await Promise.race([r.kind === 'postgres' ? postgresReady(r.port) : accepting(r.port), failed])
      if (ready) return
      if (Date.now() > deadline) {
        await this.kill(r)
        throw new Error(`${r.kind} did not accept connections on 127.0.0.1:${r.port} within ${Math.round((this.opts.readyTimeoutMs ?? 30_000) / 1000)} s: ${this.tail(r.id)}`)
      }
      await sleep(25)
    }
  }

  /** The end of a server's log, for failure reasons. */
  tail(id: string): string {
    try {
      const text = readFileSync(join(this.dir(id), 'server.log'), 'utf8').trim()
      return text.split('\n').slice(-3).join(' | ') || '(no output)'
    } catch {
      return '(no output)'
    }
  }

  private kill(r: ServerRecord): Promise<void> {
    return stopServerProcess(r)
  }

  /** Stops the server and forgets it; `removeData` also deletes its directory. */
  async remove(id: string, removeData = true): Promise<void> {
    const r = this.records.get(id)
    if (r) await this.kill(r)
    this.records.delete(id)
    this.save()
    if (removeData) rmSync(this.dir(id), {recursive: true, force: true})
  }

  /** At start: every recorded server runs again (one a killed control plane left running is kept). */
  async resume(): Promise<void> {
    await Promise.all(this.list().map(async (r) => {
      if (alive(r) && (await accepting(r.port))) return
      if (!existsSync(this.dir(r.id))) {
        this.log(`server ${r.id}: its data directory is gone; it is not started`)
        return
      }
      try {
        await this.launch(r)
      } catch (err) {
        this.log(`server ${r.id} could not start again: ${(err as Error).message}`)
      }
    }))
  }

  /** Stops every server, keeping them recorded for the next start. */
  async close(): Promise<void> {
    this.closing = true
    await Promise.all(this.list().map((r) => this.kill(r)))
    this.doc.flush()
  }
}
