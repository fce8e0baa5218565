// The state directory is Pier's only where Pier made it so: a start refuses a folder holding someone
// else's files, the daemon never deletes its directory (a removed status file is written again; a
// removed directory stops it), a reset deletes only Pier's entries, and one lock keeps a second
// daemon off a directory another one serves.
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {isAlive, ping, readLocalStatus, stopLocal} from '../../src/local/launcher.js'
import {acquireStateLock, holdsStateLock, LOCK_FILE, STATE_ENTRIES, wipeStateDir} from '../../src/local/state-dir.js'
import {pier, requireBuild, root} from './cli.js'

const base = mkdtempSync(join(tmpdir(), 'pier-statedir-'))
const started: string[] = []
beforeAll(() => requireBuild())
afterAll(async () => {
  for (const d of started) await stopLocal(d, {timeoutMs: 5000}).catch(() => undefined)
  rmSync(base, {recursive: true, force: true})
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

async function start(dir: string): Promise<number> {
  const r = await pier(['local', 'start', '--port', '0', '--state-dir', dir])
  expect(r.code, r.stderr).toBe(0)
  started.push(dir)
  return readLocalStatus(dir)!.pid
}

describe('state directory ownership (unit)', () => {
  it('wipes only the entries the control plane creates, and keeps the directory when anything else is left', () => {
    const dir = join(base, 'wipe')
    mkdirSync(dir)
    for (const name of ['.pier-local-state', 'ssm.json', 'ssm.json.1234.tmp', 'control-plane.lock']) writeFileSync(join(dir, name), '')
    mkdirSync(join(dir, 'ecs'))
    writeFileSync(join(dir, 'ecs', 'state.json'), '{}')
    writeFileSync(join(dir, 'thesis.tex'), 'mine')
    mkdirSync(join(dir, 'photos'))
    expect(wipeStateDir(dir).sort()).toEqual(['photos', 'thesis.tex'])
    expect(readdirSync(dir).sort()).toEqual(['photos', 'thesis.tex'])
    expect(readFileSync(join(dir, 'thesis.tex'), 'utf8')).toBe('mine')
    const clean = join(base, 'wipe-clean')
    mkdirSync(clean)
    writeFileSync(join(clean, '.pier-local-state'), '')
    writeFileSync(join(clean, 'acm.json'), '{}')
    expect(wipeStateDir(clean)).toEqual([])
    expect(existsSync(clean)).toBe(false)
  })

  it('takes a stale lock over, and only one of two contenders wins a free one', () => {
    const dir = join(base, 'lock')
    mkdirSync(dir)
    writeFileSync(join(dir, LOCK_FILE), `${2 ** 22 + 99}\n`)
    acquireStateLock(dir, process.pid)
    expect(holdsStateLock(dir, process.pid)).toBe(true)
    // A torn lock (empty) is stale too once its writer had time to finish.
    writeFileSync(join(dir, LOCK_FILE), '')
    acquireStateLock(dir, process.pid)
    expect(holdsStateLock(dir, process.pid)).toBe(true)
  })
})

describe('state directory ownership (built CLI and daemon)', {timeout: 180_000}, () => {
  it('refuses to start in a non-empty folder that is not a Pier state directory, and writes nothing there', async () => {
    const dir = join(base, 'foreign')
    mkdirSync(dir)
    writeFileSync(join(dir, 'notes.txt'), 'keep me')
    const r = await pier(['local', 'start', '--port', '0', '--state-dir', dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('is not empty and is not a Pier state directory')
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(readdirSync(dir)).toEqual(['notes.txt'])
    const fg = await pier(['local', 'start', '--foreground', '--port', '0', '--state-dir', dir])
    expect(fg.code).toBe(1)
    expect(readdirSync(dir)).toEqual(['notes.txt'])
  })

  it('rewrites a removed status file and lock instead of deleting anything; reset keeps what Pier did not create', async () => {
    const dir = join(base, 'kept')
    const pid = await start(dir)
    writeFileSync(join(dir, 'my-notes.txt'), 'mine')
    rmSync(join(dir, 'control-plane.json'))
    rmSync(join(dir, LOCK_FILE))
    // The watchdog runs every 2 s: the files come back, the daemon keeps serving, nothing is deleted.
    await until('the status file to be written again', () => existsSync(join(dir, 'control-plane.json')), 15_000)
    await until('the lock to be taken again', () => existsSync(join(dir, LOCK_FILE)), 15_000)
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(pid))
    await sleep(2500)
    expect(isAlive(pid)).toBe(true)
    expect(await ping(readLocalStatus(dir)!.endpoint, pid)).toBe(true)
    expect(readFileSync(join(dir, 'my-notes.txt'), 'utf8')).toBe('mine')

    const reset = await pier(['local', 'reset', '--yes', '--state-dir', dir])
    expect(reset.code, reset.stderr).toBe(0)
    expect(reset.stderr).toContain('Left 1 entry Pier did not create: my-notes.txt')
    expect(isAlive(pid)).toBe(false)
    expect(readdirSync(dir)).toEqual(['my-notes.txt'])
  })

  it('stops without deleting anything when its state directory disappears (moved away), and does not re-create it', async () => {
    const dir = join(base, 'moved')
    const pid = await start(dir)
    writeFileSync(join(dir, 'my-notes.txt'), 'mine')
    const away = join(base, 'moved-away')
    renameSync(dir, away)
    await until('the daemon to stop', () => !isAlive(pid))
    expect(existsSync(dir)).toBe(false)
    expect(readFileSync(join(away, 'my-notes.txt'), 'utf8')).toBe('mine')
    expect(existsSync(join(away, 'ssm.json')) || existsSync(join(away, 'ecs'))).toBe(true)
  })

  it('lets one of two daemons started at the same moment serve a state directory, five times out of five', async () => {
    const main = join(root, 'dist', 'local', 'main.js')
    for (let i = 0; i < 5; i++) {
      const dir = join(base, `race-${i}`)
      mkdirSync(dir)
      started.push(dir)
      const procs = [0, 1].map(() => spawn(process.execPath, [main, '--state-dir', dir, '--port', '0'], {stdio: ['ignore', 'pipe', 'pipe']}))
      const outputs = procs.map((p) => {
        let text = ''
        p.stdout!.on('data', (c) => (text += c))
        p.stderr!.on('data', (c) => (text += c))
        return () => text
      })
      const exits = procs.map((p) => new Promise<number | null>((r) => p.on('exit', (code) => r(code))))
      // The loser exits at once; the winner serves.
      const first = await Promise.race(exits.map((e, n) => e.then((code) => ({n, code}))))
      expect(first.code, outputs[first.n]!()).toBe(1)
      expect(outputs[first.n]!()).toContain('already runs for')
      const winner = procs[1 - first.n]!
      await until('the winner to answer', async () => {
        const s = readLocalStatus(dir)
        return !!s && s.pid === winner.pid && (await ping(s.endpoint, s.pid))
      })
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(winner.pid))
      winner.kill('SIGTERM')
      await exits[1 - first.n]
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
    }
  })

  it('creates nothing at the top of its state directory that reset does not know', async () => {
    const dir = join(base, 'entries')
    await start(dir)
    const s = readLocalStatus(dir)!
    const {SSMClient, PutParameterCommand} = await import('@aws-sdk/client-ssm')
    const {ECSClient, CreateClusterCommand} = await import('@aws-sdk/client-ecs')
    const {CloudFormationClient, CreateStackCommand} = await import('@aws-sdk/client-cloudformation')
    const cfg = {endpoint: s.endpoint, region: s.region, credentials: {accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey}}
    await new SSMClient(cfg).send(new PutParameterCommand({Name: '/entries/x', Value: 'v', Type: 'SecureString'}))
    await new ECSClient(cfg).send(new CreateClusterCommand({clusterName: 'entries'}))
    await new CloudFormationClient(cfg).send(new CreateStackCommand({StackName: 'entries',
      TemplateBody: JSON.stringify({Resources: {P: {Type: 'AWS::SSM::Parameter', Properties: {Type: 'String', Value: 'x'}}}})}))
    await sleep(500)
    await stopLocal(dir, {timeoutMs: 10_000})
    const unknown = readdirSync(dir).filter((n) => !STATE_ENTRIES.includes(n))
    expect(unknown).toEqual([])
    expect(statSync(dir).mode & 0o777).toBe(0o700)
  })
})
