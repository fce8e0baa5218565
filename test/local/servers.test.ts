// The server supervisor with a stand-in server (a Node process listening on its port): it starts once
// the port accepts, fails with the server's own output when it exits at start, adopts a server a killed
// control plane left running, starts stopped ones again on the same port, and stops what a control plane
// killed outright left behind.
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {accepting, freePort, ServerSupervisor, stopLeftoverServers} from '../../src/local/servers/supervisor.js'

const dir = mkdtempSync(join(tmpdir(), 'pier-servers-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const listener = (port: number) => [process.execPath, '-e', `require('net').createServer((s) => s.end()).listen(${port}, '127.0.0.1')`]
const gone = (pid: number | undefined) => !pid || !existsSync(`/proc/${pid}`) || /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))

describe('the server supervisor', () => {
  it('runs, adopts, restarts and stops servers, and removes their data', async () => {
    const port = await freePort()
    const first = new ServerSupervisor({stateDir: dir, log: () => {}})
    const r = await first.start({id: 'one', kind: 'redis', port, stopSignal: 'SIGTERM', command: listener(port)})
    expect(await accepting(port)).toBe(true)
    const pid = r.pid

    // A control plane killed outright: the next one keeps the server that still runs.
    const second = new ServerSupervisor({stateDir: dir, log: () => {}})
    await second.resume()
    expect(second.get('one')!.pid).toBe(pid)

    // Stopped with the control plane, started again on the same port.
    await second.close()
    expect(await accepting(port)).toBe(false)
    const third = new ServerSupervisor({stateDir: dir, log: () => {}})
    await third.resume()
    expect(await accepting(port)).toBe(true)
    expect(third.get('one')!.pid).not.toBe(pid)

    // What `pier local stop` does after a SIGKILL: the recorded servers stop.
    await stopLeftoverServers(dir)
    expect(await accepting(port)).toBe(false)
    expect(gone(third.get('one')!.pid)).toBe(true)

    await third.remove('one')
    expect(existsSync(third.dir('one'))).toBe(false)
    expect(third.list()).toEqual([])
  })

  it('fails a server that exits at start with the end of its output', async () => {
    const supervisor = new ServerSupervisor({stateDir: dir, log: () => {}})
    const port = await freePort()
    await expect(supervisor.start({id: 'bad', kind: 'redis', port, stopSignal: 'SIGTERM',
      command: [process.execPath, '-e', 'console.error("no such configuration directive"); process.exit(2)']}))
      .rejects.toThrow(/redis exited at start \(code 2\): no such configuration directive/)
    await supervisor.remove('bad')
  })
})
