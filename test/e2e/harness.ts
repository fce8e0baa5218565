// What the end-to-end tests share: a workspace in a temporary directory with its own state directory,
// and the real `pier` binary run in it as CI runs it (CI=true, no stdin, a free port, the local
// control plane, no container engine).
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {get} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

export const repo = join(import.meta.dirname, '..', '..')
const bin = join(repo, 'bin', 'run.js')

export class E2eWorkspace {
  readonly root: string
  readonly ws: string
  readonly env: NodeJS.ProcessEnv

  constructor(prefix: string) {
    if (!existsSync(join(repo, 'dist', 'index.js'))) throw new Error('Pier is not built: run `npm run build` first (npm test does).')
    this.root = mkdtempSync(join(tmpdir(), prefix))
    this.ws = join(this.root, 'ws')
    mkdirSync(this.ws, {recursive: true})
    this.env = {...process.env, CI: 'true', PIER_STATE_DIR: join(this.root, 'state'), PIER_LOCAL_PORT: '0', PIER_LOCAL: '1', PIER_CONTAINER_ENGINE: 'none', AWS_PROFILE: ''}
    delete this.env.NODE_EXTRA_CA_CERTS
    delete this.env.AWS_ENDPOINT_URL
  }

  pier(...args: string[]): Promise<Run> {
    return this.run(args)
  }

  /** Runs `pier` and sends it `signal` once its stdout contains `text` (a Ctrl-C at a known moment). */
  pierUntil(args: string[], text: string, signal: NodeJS.Signals): Promise<Run> {
    let sent = false
    return this.run(args, (stdout, child) => {
      if (sent || !stdout.includes(text)) return
      sent = true
      child.kill(signal)
    })
  }

  private run(args: string[], onStdout?: (stdout: string, child: ChildProcess) => void): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], {cwd: this.ws, env: this.env, stdio: ['ignore', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => {
        stdout += d
        onStdout?.(stdout, child)
      })
      child.stderr.on('data', (d) => (stderr += d))
      child.on('close', (code) => resolve({code, stdout, stderr}))
    })
  }

  /** Runs `pier`, failing the test with its output unless it exits 0. */
  async ok(...args: string[]): Promise<Run> {
    const r = await this.pier(...args)
    if (r.code !== 0) throw new Error(`pier ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`)
    return r
  }

  /** Writes a file of the workspace (path relative to it). */
  write(path: string, text: string): void {
    mkdirSync(join(this.ws, path, '..'), {recursive: true})
    writeFileSync(join(this.ws, path), text)
  }

  /** Stops the workspace's control plane and removes everything. */
  async cleanup(): Promise<void> {
    await this.pier('local', 'stop')
    rmSync(this.root, {recursive: true, force: true})
  }
}

/** GET a URL without keep-alive: status and body. */
export function fetchText(url: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = get(url, {agent: false, timeout: 5000}, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
    })
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('timeout')))
  })
}
