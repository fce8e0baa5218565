// SIGKILL of the local control plane in the middle of `pier deploy` of the demo workspace, at several
// moments, then `pier local start` again: no task process of the killed run survives, every stack ends
// completed or rolled back, the services return to their desired count, and deploying again converges
// to a web service that answers with the backend's data.
import {afterEach, beforeAll, describe, expect, it} from 'vitest'

import {isAlive} from '../../src/local/launcher.js'
import {processStartTime} from '../../src/local/agent/pids.js'
import {requireBuild} from '../local/cli.js'
import {DemoWorkspace, servesBackendData, until} from './demo.js'
import {profile, report} from './profile.js'

interface DeployEvent {
  code: string
  data?: {stack?: string}
}

const allMoments: {name: string; when: (e: DeployEvent) => boolean}[] = [
  {name: 'environment-stack', when: (e) => e.code === 'stack.start' && e.data?.stack === 'demo-test'},
  {name: 'service-stack', when: (e) => e.code === 'stack.start' && e.data?.stack === 'demo-test-web'},
  {name: 'service-rollout', when: (e) => e.code === 'rollout.progress'},
]
const moments = allMoments.filter((m) => profile.crashMoments.includes(m.name))

let demo: DemoWorkspace | undefined
beforeAll(() => requireBuild())
afterEach(async () => {
  await demo?.cleanup()
  demo = undefined
})

describe('a SIGKILL of the control plane during pier deploy', {timeout: 300_000}, () => {
  for (const moment of moments) {
    it(`recovers when killed at the ${moment.name}`, async () => {
      const d = (demo = new DemoWorkspace(`pier-crash-${moment.name}-`))
      await d.ok('local', 'start', '--port', '0')
      const {pid} = JSON.parse((await d.ok('local', 'status', '--json')).stdout) as {pid: number}

      let killedAt = 0
      const deploy = d.spawn(['deploy', '--all', '-e', 'test', '--local', '--json'], (line) => {
        if (killedAt || !line.startsWith('{')) return
        if (moment.when(JSON.parse(line) as DeployEvent)) {
          process.kill(pid, 'SIGKILL')
          killedAt = Date.now()
        }
      })
      const interrupted = await deploy.done
      expect(killedAt, `the deploy never reached the ${moment.name}: ${interrupted.stderr}`).toBeGreaterThan(0)
      expect(interrupted.code, 'a deploy whose control plane died must fail').not.toBe(0)
      expect(interrupted.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
      await until('the daemon to die', async () => !isAlive(pid))
      // Task processes live in their own process groups and outlive the daemon: the restart ends them.
      const survivors = d.taskProcesses()

      const restartAt = Date.now()
      await d.ok('local', 'start', '--port', '0')
      for (const p of survivors) {
        const alive = isAlive(p.pid) && processStartTime(p.pid) === p.startTime
        expect(alive, `task process ${p.pid} of the killed run`).toBe(false)
      }
      const stacks = await until('no stack in progress', async () => {
        const all = await d.stacks()
        // Named in the timeout's message, so a stack that never settles says which and where it stopped.
        // A stack whose CREATE change set was made but never executed (the deploy died between the two)
        // rests in REVIEW_IN_PROGRESS, as on AWS: no operation runs on it, and the next deploy recreates it.
        const busy = all.filter((s) => s.status.endsWith('_IN_PROGRESS') && s.status !== 'REVIEW_IN_PROGRESS')
        if (busy.length > 0) throw new Error(`in progress: ${busy.map((s) => `${s.name}:${s.status}`).join(', ')}`)
        return all
        // A rollback drains the services it deletes (the target group's deregistration delay).
      }, 180_000)
      for (const s of stacks) expect(s.status, `${s.name}: ${s.reason}`).toMatch(/_COMPLETE$|^REVIEW_IN_PROGRESS$/)
      await until('every service at its desired count', async () => (await d.services()).every((s) => s.running === s.desired))
      const settledMs = Date.now() - restartAt

      const redeployAt = Date.now()
      const again = await d.run('deploy', '--all', '-e', 'test', '--local')
      expect(again.code, again.stderr).toBe(0)
      const redeployMs = Date.now() - redeployAt
      await until('the web service to answer with the backend\'s data', async () => servesBackendData(await d.getWeb()), 30_000)
      const services = await d.services()
      expect(services.map((s) => s.name).length).toBeGreaterThanOrEqual(2)
      for (const s of services) expect(s.running, s.name).toBe(s.desired)
      report(`crash-deploy ${moment.name}`, {
        orphans_after_kill: survivors.length,
        stacks: stacks.map((s) => `${s.name}:${s.status}`).join(',') || 'none',
        settled_ms: settledMs,
        redeploy_ms: redeployMs,
      })
    })
  }
})
