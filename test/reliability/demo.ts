// A copy of the demo workspace with its own state directory, driven through the built `pier` binary as
// a user would (CI=true, no stdin, PIER_LOCAL_PORT=0), plus the probes the crash and interrupt tests
// share: the control plane's stacks and services, the task processes its agent started, the web URL.
import {CloudFormationClient, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {DescribeServicesCommand, ECSClient, ListClustersCommand, ListServicesCommand} from '@aws-sdk/client-ecs'
import {spawn, type ChildProcess} from 'node:child_process'
import {createHash} from 'node:crypto'
import {cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {isAlive, readLocalStatus, stopLocal} from '../../src/local/launcher.js'
import {AGENT_MARKER_VAR, agentMarker, processStartTime} from '../../src/local/agent/pids.js'
import {bin, root} from '../local/cli.js'
import {fetchText} from '../e2e/harness.js'

export {fetchText}

export interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export class DemoWorkspace {
  readonly dir: string
  readonly ws: string
  readonly state: string
  readonly env: NodeJS.ProcessEnv

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix))
    this.ws = join(this.dir, 'ws')
    this.state = join(this.dir, 'state')
    mkdirSync(this.state)
    cpSync(join(root, 'manifests', 'demo'), this.ws, {recursive: true})
    this.env = {...process.env, CI: 'true', PIER_STATE_DIR: this.state, PIER_LOCAL_PORT: '0', AWS_PROFILE: ''}
    delete this.env.NODE_EXTRA_CA_CERTS
    delete this.env.AWS_ENDPOINT_URL
  }

  /** Starts `pier <args>`; `onLine` sees each stdout line as it arrives. */
  spawn(args: string[], onLine?: (line: string, child: ChildProcess) => void): {child: ChildProcess; done: Promise<Run>} {
    const child = spawn(process.execPath, [bin, ...args], {cwd: this.ws, env: this.env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let pending = ''
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d
      pending += d
      const lines = pending.split('\n')
      pending = lines.pop()!
      if (onLine) for (const l of lines) onLine(l, child)
    })
    child.stderr!.on('data', (d: Buffer) => (stderr += d))
    const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({code, signal, stdout, stderr})))
    return {child, done}
  }

  run(...args: string[]): Promise<Run> {
    return this.spawn(args).done
  }

  async ok(...args: string[]): Promise<Run> {
    const r = await this.run(...args)
    if (r.code !== 0) throw new Error(`pier ${args.join(' ')} exited ${r.code ?? r.signal}:\n${r.stderr}\n${r.stdout}`)
    return r
  }

  /** The running daemon's pid and SDK clients for it. */
  clients(): {pid: number; cfn: CloudFormationClient; ecs: ECSClient} {
    const s = readLocalStatus(this.state)
    if (!s) throw new Error(`no control plane runs on ${this.state}`)
    const config = {endpoint: s.endpoint, region: s.region, credentials: {accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey}, maxAttempts: 3}
    return {pid: s.pid, cfn: new CloudFormationClient(config), ecs: new ECSClient(config)}
  }

  /** Every stack's name and status (deleted ones included). */
  async stacks(): Promise<{name: string; status: string; reason: string}[]> {
    const {cfn, ecs} = this.clients()
    try {
      const {Stacks = []} = await cfn.send(new DescribeStacksCommand({}))
      return Stacks.map((s) => ({name: s.StackName!, status: s.StackStatus!, reason: s.StackStatusReason ?? ''}))
    } finally {
      cfn.destroy()
      ecs.destroy()
    }
  }

  /** Every ECS service's running and desired counts, across clusters. */
  async services(): Promise<{name: string; running: number; desired: number}[]> {
    const {cfn, ecs} = this.clients()
    try {
      const out: {name: string; running: number; desired: number}[] = []
      for (const cluster of (await ecs.send(new ListClustersCommand({}))).clusterArns ?? []) {
        const arns = (await ecs.send(new ListServicesCommand({cluster}))).serviceArns ?? []
        if (arns.length === 0) continue
        for (const s of (await ecs.send(new DescribeServicesCommand({cluster, services: arns}))).services ?? []) {
          if (s.status === 'ACTIVE') out.push({name: s.serviceName!, running: s.runningCount ?? 0, desired: s.desiredCount ?? 0})
        }
      }
      return out
    } finally {
      cfn.destroy()
      ecs.destroy()
    }
  }

  /** Live processes the agent started for this state directory: pid and start time (pids are reused). */
  taskProcesses(): {pid: number; startTime: string}[] {
    const mark = `${AGENT_MARKER_VAR}=${agentMarker(this.state)}`
    const out: {pid: number; startTime: string}[] = []
    for (const p of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
      try {
        if (!readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(mark)) continue
        const startTime = processStartTime(Number(p))
        if (startTime && isAlive(Number(p))) out.push({pid: Number(p), startTime})
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
    return out
  }

  /** GET the web service through the environment's load balancer. */
  async getWeb(): Promise<{status: number; body: string}> {
    const shown = JSON.parse((await this.ok('env', 'show', '--name', 'test', '--json', '--local')).stdout) as {publicLoadBalancer: string}
    return fetchText(`http://${shown.publicLoadBalancer}/`)
  }

  /** A digest of every file in the workspace, to prove a command left it as it was. */
  digest(): string {
    const h = createHash('sha256')
    const walk = (d: string): void => {
      for (const n of readdirSync(d).sort()) {
        const p = join(d, n)
        if (statSync(p).isDirectory()) walk(p)
        else h.update(p).update(readFileSync(p))
      }
    }
    walk(this.ws)
    return h.digest('hex')
  }

  async cleanup(): Promise<void> {
    await stopLocal(this.state, {timeoutMs: 15_000}).catch(() => undefined)
    for (const p of this.taskProcesses()) {
      try {
        process.kill(p.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, {recursive: true, force: true})
  }
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** The web service answers 200 with the backend's data. */
export function servesBackendData(r: {status: number; body: string}): boolean {
  if (r.status !== 200) return false
  const body = JSON.parse(r.body) as {service?: string; backend?: {ok?: boolean; body?: {service?: string}}}
  return body.service === 'web' && body.backend?.ok === true && body.backend.body?.service === 'api'
}
