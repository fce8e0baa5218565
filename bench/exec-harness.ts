// What bench/exec.bench.mjs measures, bundled by it: a broker on loopback with a driver that runs
// commands as child processes (script(1) for a terminal), and the real client.
import {spawn} from 'node:child_process'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {dialSession} from '../src/exec/client.js'
import type {ExecProcess} from '../src/local/agent/types.js'
import {createExecBroker} from '../src/local/exec/broker.js'

function run(command: string, tty: boolean): ExecProcess {
  const child = tty
    ? spawn('script', ['-qfec', command, '/dev/null'], {stdio: 'pipe', detached: true})
    : spawn('sh', ['-c', command], {stdio: 'pipe', detached: true})
  const exits: ((code: number) => void)[] = []
  child.on('close', (code) => exits.forEach((cb) => cb(code ?? 1)))
  child.stdin.on('error', () => {})
  return {
    write: (d) => child.stdin.write(d),
    closeStdin: () => child.stdin.end(),
    resize: () => {},
    signal: (sig) => {
      try {
        process.kill(-child.pid!, sig)
      } catch {
        /* gone */
      }
    },
    onStdout: (cb) => child.stdout.on('data', cb),
    onStderr: (cb) => child.stderr.on('data', cb),
    onExit: (cb) => exits.push(cb),
  }
}

/** The control plane side, run in its own process as in real use: POST /session stands in for ExecuteCommand. */
export async function serve(): Promise<void> {
  let port = 0
  const broker = createExecBroker({driver: {exec: (_t, _c, command, o) => run(command, o.tty)}, endpoint: () => `http://127.0.0.1:${port}`})
  const taskArn = 'arn:aws:ecs:us-east-1:000000000000:task/bench/bench'
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', async () => {
      const {command, interactive} = JSON.parse(body) as {command: string; interactive: boolean}
      const s = await broker.createSession({taskArn, taskId: 'bench', container: 'app', command, interactive})
      res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(s))
    })
  })
  server.on('upgrade', (req, socket, head) => broker.handleUpgrade(req, socket, head))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  port = (server.address() as AddressInfo).port
  broker.startAgent('bench')
  process.stdout.write(`${JSON.stringify({port})}\n`)
  process.stdin.resume()
  process.stdin.on('end', () => process.exit(0))
}

/** The client side: ask for a session, then dial it. */
export async function open(port: number, command: string, interactive: boolean) {
  const res = await fetch(`http://127.0.0.1:${port}/session`, {method: 'POST', body: JSON.stringify({command, interactive})})
  const s = (await res.json()) as {streamUrl: string; tokenValue: string}
  return dialSession({streamUrl: s.streamUrl, tokenValue: s.tokenValue, interactive})
}

if (process.argv[2] === 'serve') void serve()
