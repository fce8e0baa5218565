// SIGINT and SIGTERM of `pier deploy` at random moments, then a re-run: every interrupted run exits
// (no hang, no stack trace), the re-run converges to the desired state (exit 0, every service at its
// desired count, the web service answering with the backend's data), and nothing is left half-written:
// no deploy writes to the workspace and `pier validate` still passes. Before each round the test
// changes a variable of both services, so every interrupted deploy has a rollout to do.
// The moments come from a seeded generator: PIER_RELIABILITY_SEED=<seed> replays a failing run.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'

import {requireBuild} from '../local/cli.js'
import {DemoWorkspace, servesBackendData, until} from './demo.js'
import {profile, report} from './profile.js'

const seed = Number(process.env.PIER_RELIABILITY_SEED ?? Date.now() % 2 ** 31)

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function random(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Sets the manifest's top-level variable ROUND (both demo services have a `variables:` block). */
function setRound(manifest: string, round: number): void {
  const text = readFileSync(manifest, 'utf8')
  const line = `  ROUND: "${round}"`
  writeFileSync(manifest, /^ {2}ROUND: .*$/m.test(text) ? text.replace(/^ {2}ROUND: .*$/m, line) : text.replace(/^variables:\n/m, `variables:\n${line}\n`))
}

/** Latest moment an interrupt may land, in ms after the deploy starts: a full deploy of the demo here. */
const WINDOW_MS = 20_000
/** A run that got its signal must be gone within this (a first SIGINT waits for the cancel to finish). */
const EXIT_WITHIN_MS = 120_000

let demo: DemoWorkspace
beforeAll(async () => {
  requireBuild()
  demo = new DemoWorkspace('pier-interrupt-')
  await demo.ok('local', 'start', '--port', '0')
})
afterAll(async () => {
  await demo?.cleanup()
})

it(`converges after ${profile.interrupts} interrupted deploys (seed ${seed})`, {timeout: 300_000 + profile.interrupts * 150_000}, async () => {
  const next = random(seed)
  const rounds: string[] = []
  let before = ''
  for (let i = 0; i < profile.interrupts; i++) {
    for (const svc of ['api', 'web']) setRound(join(demo.ws, 'copilot', svc, 'manifest.yml'), i)
    before = demo.digest()
    const signal: NodeJS.Signals = next() < 0.5 ? 'SIGINT' : 'SIGTERM'
    const delay = Math.round(200 + next() * (WINDOW_MS - 200))
    const deploy = demo.spawn(['deploy', '--all', '-e', 'test', '--local'])
    let signalledAt = 0
    const timer = setTimeout(() => {
      signalledAt = Date.now()
      deploy.child.kill(signal)
    }, delay)
    const hang = setTimeout(() => deploy.child.kill('SIGKILL'), delay + EXIT_WITHIN_MS)
    const r = await deploy.done
    clearTimeout(timer)
    clearTimeout(hang)
    const where = `round ${i} (seed ${seed}): ${signal} after ${delay} ms`
    expect(r.signal, `${where}: still running ${EXIT_WITHIN_MS} ms after the signal`).not.toBe('SIGKILL')
    expect(r.stderr, `${where}: a stack trace`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
    if (!signalledAt) expect(r.code, `${where}: finished before the signal, yet failed:\n${r.stderr}`).toBe(0)
    expect(demo.digest(), `${where}: the deploy wrote to the workspace`).toBe(before)
    rounds.push(`${signal}@${delay}ms->${signalledAt ? (r.code ?? r.signal) : 'finished-first'}${signalledAt ? `/${Date.now() - signalledAt}ms` : ''}`)
  }

  const rerunAt = Date.now()
  const again = await demo.run('deploy', '--all', '-e', 'test', '--local')
  expect(again.code, `re-run after the interrupts (seed ${seed}):\n${again.stderr}`).toBe(0)
  const rerunMs = Date.now() - rerunAt
  await until('the web service to answer with the backend\'s data', async () => servesBackendData(await demo.getWeb()), 30_000)
  const services = await demo.services()
  expect(services.length).toBeGreaterThanOrEqual(2)
  for (const s of services) expect(s.running, s.name).toBe(s.desired)
  for (const s of await demo.stacks()) expect(s.status, s.name).toMatch(/_COMPLETE$/)

  const validate = await demo.run('validate')
  expect(validate.code, validate.stderr).toBe(0)
  expect(demo.digest(), 'the workspace changed').toBe(before)
  report('interrupt', {seed, rounds: rounds.join(','), rerun_ms: rerunMs})
})
