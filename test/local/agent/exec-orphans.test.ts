import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {cleanupOrphans, ProcessDriver} from '../../../src/local/agent/process-driver.js'
import {AGENT_MARKER_VAR, agentMarker, processStartTime} from '../../../src/local/agent/pids.js'
import type {ExecProcess} from '../../../src/local/agent/types.js'
import {RecordingListener, alive, taskSpec, tempDir} from './helpers.js'

function collect(p: ExecProcess, input?: string): Promise<{stdout: string; stderr: string; code: number}> {
  return new Promise((resolve) => {
    let stdout = ''
    let stderr = ''
    p.onStdout((d) => (stdout += d.toString()))
    p.onStderr((d) => (stderr += d.toString()))
    p.onExit((code) => resolve({stdout, stderr, code}))
    if (input !== undefined) p.write(Buffer.from(input))
    p.closeStdin()
  })
}

const idle = {command: ['sh', '-c', 'echo up; while :; do sleep 0.05; done'], stopTimeout: 1}

describe('exec in a running task', () => {
  const dir = tempDir('pier-exec-')
  const listener = new RecordingListener()
  const driver = new ProcessDriver({stateDir: dir.path, listener})
  afterAll(async () => {
    await driver.shutdown()
    dir.remove()
  })

  it('runs a command with the container environment and working directory, returning output and exit code', async () => {
    const spec = taskSpec([{...idle, name: 'web', environment: {GREETING: 'hi'}, portMappings: [{containerPort: 80}]}])
    await driver.start(spec)
    const running = await listener.running(spec.taskId)
    const r = await collect(driver.exec(spec.taskId, 'web', ['/bin/sh', '-c', 'echo $GREETING $PORT_80; pwd; cat; echo err >&2; exit 7'], {tty: false}), 'from stdin\n')
    expect(r.code).toBe(7)
    expect(r.stdout).toBe(`hi ${running.containers[0]!.networkBindings[0]!.hostPort}\n${join(dir.path, 'agent', 'tasks', spec.taskId, 'web')}\nfrom stdin\n`)
    expect(r.stderr).toBe('err\n')
    await driver.stop(spec.taskId, 'UserInitiated', 'done')
  })

  it('keeps the working directory when it enters the task\'s mount namespace (private /etc/hosts)', async () => {
    const nsDir = tempDir('pier-exec-ns-')
    const workdir = join(nsDir.path, 'app')
    mkdirSync(workdir)
    const nsDriver = new ProcessDriver({stateDir: nsDir.path, listener, hostsFile: () => '127.0.0.1 api.test.demo.local\n'})
    try {
      const spec = taskSpec([{...idle, name: 'web', workingDirectory: workdir}])
      await nsDriver.start(spec)
      await listener.running(spec.taskId)
      // The task binds its private /etc/hosts as it starts: wait for it, so the exec surely is in its namespace.
      let r = {stdout: '', stderr: '', code: 0}
      for (let i = 0; i < 50 && !r.stdout.endsWith('\n1\n'); i++) {
        r = await collect(nsDriver.exec(spec.taskId, 'web', ['/bin/sh', '-c', 'pwd; grep -c api.test.demo.local /etc/hosts'], {tty: false}))
      }
      expect(r.stdout).toBe(`${workdir}\n1\n`)
      const t = await collect(nsDriver.exec(spec.taskId, 'web', ['pwd'], {tty: true, cols: 80, rows: 24}))
      expect(t.stdout).toBe(`${workdir}\r\n`)
    } finally {
      await nsDriver.shutdown()
      nsDir.remove()
    }
  })

  it('gives a pseudo-terminal through script(1), sized as asked', async () => {
    const spec = taskSpec([{...idle, name: 'web'}])
    await driver.start(spec)
    await listener.running(spec.taskId)
    const r = await collect(driver.exec(spec.taskId, 'web', ['/bin/sh', '-c', 'tty; stty size; exit 5'], {tty: true, cols: 100, rows: 30}))
    expect(r.code).toBe(5)
    expect(r.stdout).toMatch(/^\/dev\/pts\/\d+\r?\n30 100\r?\n$/)
    await driver.stop(spec.taskId, 'UserInitiated', 'done')
  })

  it('resizes the terminal of a running session', async () => {
    const spec = taskSpec([{...idle, name: 'web'}])
    await driver.start(spec)
    await listener.running(spec.taskId)
    const p = driver.exec(spec.taskId, 'web', ['/bin/sh', '-c', 'echo ready; read x; stty size'], {tty: true, cols: 80, rows: 24})
    let out = ''
    let ready: () => void
    const started = new Promise<void>((resolve) => (ready = resolve))
    p.onStdout((d) => {
      out += d.toString()
      if (out.includes('ready')) ready()
    })
    const done = new Promise<number>((resolve) => p.onExit(resolve))
    // Resize once the shell in the terminal runs, not after a guess at how long that takes.
    await started
    p.resize(120, 40)
    p.write(Buffer.from('go\n'))
    expect(await done).toBe(0)
    expect(out).toMatch(/40 120/)
    await driver.stop(spec.taskId, 'UserInitiated', 'done')
  })

  it('refuses exec into a task that is not running', () => {
    expect(() => driver.exec('nope', 'web', ['true'], {tty: false})).toThrow(/container web of task nope is not running/)
  })

  it('ends exec sessions when their task stops', async () => {
    const spec = taskSpec([{...idle, name: 'web'}])
    await driver.start(spec)
    await listener.running(spec.taskId)
    const p = driver.exec(spec.taskId, 'web', ['sleep', '30'], {tty: false})
    const code = new Promise<number>((resolve) => p.onExit(resolve))
    await driver.stop(spec.taskId, 'UserInitiated', 'done')
    expect(await code).toBe(137)
  })
})

describe('cleanupOrphans', () => {
  const dir = tempDir('pier-orphans-')
  afterAll(() => dir.remove())

  it('kills the task processes a crashed agent left behind, and nothing else', async () => {
    const listener = new RecordingListener()
    const crashed = new ProcessDriver({stateDir: dir.path, listener})
    const spec = taskSpec([
      {name: 'a', command: ['sh', '-c', 'sleep 60 & sleep 60; wait']},
      {name: 'b', command: ['sleep', '60']},
    ])
    await crashed.start(spec)
    const running = await listener.running(spec.taskId)
    const pids = running.containers.map((c) => Number(c.runtimeId!.split('-').at(-1)))
    expect(pids.every(alive)).toBe(true)

    // A record whose pid was reused by an unrelated process (this test runner) must be left alone.
    writeFileSync(join(dir.path, 'agent', 'pids', 'stale.json'), JSON.stringify([{pid: process.pid, startTime: processStartTime(process.pid), label: 'x'}]))

    // The "crash": the driver is dropped without shutdown, and a new agent starts on the same state.
    const killed = cleanupOrphans(dir.path)
    expect(killed).toEqual(expect.arrayContaining(pids))
    await listener.until(() => pids.every((p) => !alive(p)))
    expect(alive(process.pid)).toBe(true)
    expect(readdirSync(join(dir.path, 'agent', 'pids'))).toEqual([])
  })

  it('also kills a marked process no record names (started in the instant before a crash)', async () => {
    const marker = agentMarker(dir.path)
    const child = spawn('sleep', ['60'], {env: {PATH: process.env.PATH, [AGENT_MARKER_VAR]: marker}, detached: true, stdio: 'ignore'})
    const other = spawn('sleep', ['60'], {env: {PATH: process.env.PATH, [AGENT_MARKER_VAR]: agentMarker('/elsewhere')}, detached: true, stdio: 'ignore'})
    const gone = new Promise((resolve) => child.once('exit', resolve))
    // 'spawn' comes once both have exec'd sleep with their own environment (the marker is read from it).
    await Promise.all([once(child, 'spawn'), once(other, 'spawn')])
    expect(cleanupOrphans(dir.path)).toContain(child.pid)
    await gone
    // Another state directory's processes are not this agent's.
    expect(alive(other.pid!)).toBe(true)
    other.kill('SIGKILL')
  })

  it('leaves no process behind on shutdown, even one that left its process group', async () => {
    const stateDir = join(dir.path, 'escape')
    const listener = new RecordingListener()
    const driver = new ProcessDriver({stateDir, listener, defaultStopTimeout: 1})
    const spec = taskSpec([{command: ['sh', '-c', 'setsid sleep 60 & echo $!; while :; do sleep 0.05; done']}])
    await driver.start(spec)
    const line = await listener.until(() => listener.linesOf(spec.taskId)[0])
    const escaped = Number(line)
    expect(alive(escaped)).toBe(true)
    await driver.shutdown()
    await listener.until(() => !alive(escaped))
  })

  it('stops a container whose escaped child holds its output open, and kills that child', async () => {
    const stateDir = join(dir.path, 'held')
    const listener = new RecordingListener()
    const driver = new ProcessDriver({stateDir, listener})
    // The escaped sleep inherits stdout: without care, the output never closes and the task never stops.
    const spec = taskSpec([{command: ['sh', '-c', 'setsid sleep 60 & echo $!; exit 5']}])
    await driver.start(spec)
    const stopped = await listener.stopped(spec.taskId, 5000)
    expect(stopped.containers[0]!.exitCode).toBe(5)
    const escaped = Number(listener.linesOf(spec.taskId)[0])
    await listener.until(() => !alive(escaped))
    await driver.shutdown()
  })

  it('does nothing for a state directory that never ran tasks', () => {
    const empty = join(dir.path, 'empty')
    mkdirSync(empty)
    expect(cleanupOrphans(empty)).toEqual([])
  })
})
