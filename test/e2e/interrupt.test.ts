// Ctrl-C during a deploy, with the real binary against the real local control plane: a first press
// cancels an update (CloudFormation rolls it back) or deletes a stack that was being created; a second
// press stops watching and leaves CloudFormation to finish on its own. Each case signals the deploy at
// the moment its stack starts changing, as seen in the NDJSON progress stream.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {requireBuild} from '../local/cli.js'
import {DemoWorkspace, until, type Run} from '../reliability/demo.js'

let demo: DemoWorkspace

beforeAll(async () => {
  requireBuild()
  demo = new DemoWorkspace('pier-interrupt-e2e-')
  await demo.ok('local', 'start', '--port', '0')
  await demo.ok('deploy', '--name', 'api', '--env', 'test', '--local')
}, 120_000)

afterAll(async () => {
  await demo?.cleanup()
}, 60_000)

function setVariable(svc: string, value: string): void {
  const file = join(demo.ws, 'copilot', svc, 'manifest.yml')
  const text = readFileSync(file, 'utf8')
  const line = `  ROUND: "${value}"`
  writeFileSync(file, /^ {2}ROUND: .*$/m.test(text) ? text.replace(/^ {2}ROUND: .*$/m, line) : text.replace(/^variables:\n/m, `variables:\n${line}\n`))
}

/** Runs a deploy and presses Ctrl-C `presses` times once `stack` starts changing. */
async function interrupted(args: string[], stack: string, presses: number): Promise<{run: Run; events: {code: string; data: any}[]}> {
  let pressed = false
  const deploy = demo.spawn([...args, '--local', '--json'], (line, child) => {
    if (pressed) return
    const e = JSON.parse(line) as {code: string; data: {stack?: string}}
    if (e.code !== 'stack.start' || e.data.stack !== stack) return
    pressed = true
    child.kill('SIGINT')
    if (presses > 1) setTimeout(() => child.kill('SIGINT'), 300)
  })
  const run = await deploy.done
  expect(pressed, `the deploy never started changing ${stack}:\n${run.stderr}`).toBe(true)
  expect(run.stderr, 'a stack trace').not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
  return {run, events: run.stdout.trim().split('\n').map((l) => JSON.parse(l))}
}

async function stackStatus(name: string): Promise<string | undefined> {
  return (await demo.stacks()).find((s) => s.name === name)?.status
}

describe('Ctrl-C during a deploy', {timeout: 120_000}, () => {
  it('once cancels an update: the stack rolls back and the service keeps its tasks', async () => {
    setVariable('api', 'cancelled')
    const {run, events} = await interrupted(['svc', 'deploy', '--name', 'api', '--env', 'test'], 'demo-test-api', 1)
    expect(run.code).toBe(1)
    expect(events.find((e) => e.code === 'stack.cancel')?.data).toMatchObject({stack: 'demo-test-api', action: 'cancel-update'})
    expect(run.stderr).toMatch(/The deploy of demo-test-api was cancelled: the stack is now UPDATE_ROLLBACK_COMPLETE/)
    expect(await stackStatus('demo-test-api')).toBe('UPDATE_ROLLBACK_COMPLETE')
    await until('api to be back at its desired count', async () => (await demo.services()).some((s) => s.name.includes('api') && s.running === 1 && s.desired === 1), 30_000)
    // The next deploy still has the change to make: the cancelled one did not stick.
    const again = await demo.ok('svc', 'deploy', '--name', 'api', '--env', 'test', '--local')
    expect(again.stderr).not.toMatch(/no changes/)
  })

  it('once deletes a stack that was being created', async () => {
    const {run, events} = await interrupted(['svc', 'deploy', '--name', 'web', '--env', 'test'], 'demo-test-web', 1)
    expect(run.code).toBe(1)
    expect(events.find((e) => e.code === 'stack.cancel')?.data).toMatchObject({stack: 'demo-test-web', action: 'delete'})
    expect(['DELETE_COMPLETE', undefined]).toContain(await stackStatus('demo-test-web'))
    expect((await demo.services()).map((s) => s.name).filter((n) => n.includes('web'))).toEqual([])
  })

  it('twice stops watching at once, and CloudFormation finishes on its own', async () => {
    setVariable('api', 'detached')
    const {run, events} = await interrupted(['svc', 'deploy', '--name', 'api', '--env', 'test'], 'demo-test-api', 2)
    expect(events.some((e) => e.code === 'stack.detached'), run.stdout).toBe(true)
    expect(run.code).not.toBe(null)
    const settled = await until('the stack to settle without Pier', async () => {
      const s = await stackStatus('demo-test-api')
      return s && !s.endsWith('_IN_PROGRESS') ? s : undefined
    }, 60_000)
    // The first press asked for the cancel; the stack finishes that without anyone watching.
    expect(settled).toBe('UPDATE_ROLLBACK_COMPLETE')
  })
})
