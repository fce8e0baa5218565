import {mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {defaultPort, defaultStateDir, isAlive, isStateDir, readLocalStatus} from '../../src/local/launcher.js'

const dir = mkdtempSync(join(tmpdir(), 'pier-launcher-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('launcher', () => {
  it('finds the state directory from PIER_STATE_DIR, then XDG_STATE_HOME, then the home directory', () => {
    expect(defaultStateDir({PIER_STATE_DIR: '/s', XDG_STATE_HOME: '/x'})).toBe('/s')
    expect(defaultStateDir({XDG_STATE_HOME: '/x'})).toBe('/x/pier/local')
    expect(defaultStateDir({})).toBe(join(homedir(), '.local', 'state', 'pier', 'local'))
  })

  it('reads the port from PIER_LOCAL_PORT, defaulting to 4566 when absent or invalid', () => {
    expect(defaultPort({})).toBe(4566)
    expect(defaultPort({PIER_LOCAL_PORT: '0'})).toBe(0)
    expect(defaultPort({PIER_LOCAL_PORT: '5000'})).toBe(5000)
    expect(defaultPort({PIER_LOCAL_PORT: 'abc'})).toBe(4566)
  })

  it('returns the status of a live process, reads a stale or torn status file as not running and leaves it', () => {
    const live = join(dir, 'live')
    mkdirSync(live)
    writeFileSync(join(live, 'control-plane.json'), JSON.stringify({endpoint: 'http://127.0.0.1:1', pid: process.pid}))
    expect(readLocalStatus(live)?.pid).toBe(process.pid)
    const stale = join(dir, 'stale')
    mkdirSync(stale)
    writeFileSync(join(stale, 'control-plane.json'), JSON.stringify({endpoint: 'http://127.0.0.1:1', pid: 2 ** 22 + 7}))
    expect(readLocalStatus(stale)).toBeUndefined()
    // A reader in another PID namespace cannot tell a live daemon from a dead one: it never deletes.
    expect(existsSync(join(stale, 'control-plane.json'))).toBe(true)
    writeFileSync(join(stale, 'control-plane.json'), '{"endpoint": "http://127')
    expect(readLocalStatus(stale)).toBeUndefined()
    expect(existsSync(join(stale, 'control-plane.json'))).toBe(true)
    expect(readLocalStatus(join(dir, 'absent'))).toBeUndefined()
  })

  it('refuses a state directory it cannot create, without starting anything', async () => {
    const {ensureLocal} = await import('../../src/local/launcher.js')
    await expect(ensureLocal({stateDir: '/dev/null/pier-state', port: 0})).rejects.toMatchObject({
      name: 'LocalLaunchError',
      message: expect.stringContaining('cannot use /dev/null/pier-state as its state directory'),
    })
  })

  it('tells live processes from gone ones', () => {
    expect(isAlive(process.pid)).toBe(true)
    expect(isAlive(2 ** 22 + 7)).toBe(false)
  })

  it('only lets reset wipe an absent, empty or marked directory', () => {
    expect(isStateDir(join(dir, 'nothing-here'))).toBe(true)
    const empty = join(dir, 'empty')
    mkdirSync(empty)
    expect(isStateDir(empty)).toBe(true)
    writeFileSync(join(empty, 'notes.txt'), 'mine')
    expect(isStateDir(empty)).toBe(false)
    writeFileSync(join(empty, '.pier-local-state'), '')
    expect(isStateDir(empty)).toBe(true)
  })
})
