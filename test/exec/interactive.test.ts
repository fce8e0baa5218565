// An interactive session driven through a real pseudo-terminal: script(1) gives the client a
// terminal, the agent side runs a shell in another one; the test types and reads the echo.
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ExecProcess} from '../../src/local/agent/types.js'
import {createExecBroker, type ExecBroker} from '../../src/local/exec/broker.js'
import {bundle} from './bundle.js'
import {childProcess} from './helpers.js'

let dir: string
let client: string
let server: Server
let broker: ExecBroker
const resizes: {cols: number; rows: number}[] = []
const started: {tty: boolean; cols?: number; rows?: number}[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pier-pty-'))
  client = await bundle(fileURLToPath(new URL('./fixtures/interactive-client.ts', import.meta.url)), dir)
  server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  broker = createExecBroker({
    driver: {
      exec(_t, _c, command, o) {
        started.push(o)
        const p = childProcess(command, o) as ExecProcess
        return {...p, resize: (cols, rows) => resizes.push({cols, rows})}
      },
    },
    endpoint: () => `http://127.0.0.1:${port}`,
    // The client decides: its terminal size comes first, so the shell starts at that size.
    mode: 'extended',
  })
  server.on('upgrade', (req, socket, head) => broker.handleUpgrade(req, socket, head))
  broker.startAgent('t1')
})

afterAll(async () => {
  await broker.close()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(dir, {recursive: true, force: true})
})

function waitFor(child: ChildProcess, output: () => string, text: string | RegExp, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const found = () => (typeof text === 'string' ? output().includes(text) : text.test(output()))
    if (found()) return resolve()
    const timer = setTimeout(() => {
      child.stdout!.off('data', check)
      reject(new Error(`timed out waiting for ${String(text)}; output so far:\n${output()}`))
    }, ms)
    const check = () => {
      if (!found()) return
      clearTimeout(timer)
      child.stdout!.off('data', check)
      resolve()
    }
    child.stdout!.on('data', check)
  })
}

describe('interactive exec through a pseudo-terminal', () => {
  it('types a command and reads its echo; Ctrl-C reaches the remote shell; the terminal is restored', async () => {
    const s = await broker.createSession({
      taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/demo/t1',
      taskId: 't1',
      container: 'web',
      command: "env PS1='ready> ' sh -i",
      interactive: true,
    })
    const script = `stty cols 100 rows 30; node ${client} '${s.streamUrl}' '${s.tokenValue}'; echo "rc=$?"; stty -a`
    const child = spawn('script', ['-qfec', script, '/dev/null'], {stdio: 'pipe', env: {...process.env, TERM: 'xterm'}})
    let out = ''
    child.stdout.on('data', (d) => (out += d.toString()))
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
    try {
      await waitFor(child, () => out, 'ready> ')
      child.stdin.write('echo hello-$((6*7))\r')
      await waitFor(child, () => out, 'hello-42')
      // The client's terminal size reached the remote terminal before the shell started.
      expect(started).toEqual([{tty: true, cols: 100, rows: 30}])
      child.stdin.write('stty size\r')
      await waitFor(child, () => out, '30 100')

      child.stdin.write('sleep 30\r')
      await new Promise((r) => setTimeout(r, 300))
      child.stdin.write('\x03')
      child.stdin.write('echo after-$((1+1))\r')
      await waitFor(child, () => out, 'after-2')

      child.stdin.write('exit 5\r')
      await waitFor(child, () => out, 'rc=5')
      expect(await exited).toBe(0)
      // After the session, the local terminal is back in canonical mode with echo.
      expect(out).toMatch(/[^-]icanon/)
      expect(out).toMatch(/[^-]echo /)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
