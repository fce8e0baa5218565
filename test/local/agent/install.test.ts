import {spawn} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {installAgent} from '../../../src/local/agent/install.js'
import {AGENT_MARKER_VAR, agentMarker} from '../../../src/local/agent/pids.js'
import {RecordingListener, alive, taskSpec, tempDir} from './helpers.js'

describe('installAgent', () => {
  it('kills a previous run’s orphans, then runs tasks that see the local endpoint and discovery names', async () => {
    const dir = tempDir('pier-install-')
    const orphan = spawn('sleep', ['60'], {env: {PATH: process.env.PATH, [AGENT_MARKER_VAR]: agentMarker(dir.path)}, detached: true, stdio: 'ignore'})
    await new Promise((r) => setTimeout(r, 100))
    const listener = new RecordingListener()
    const agent = await installAgent(
      {stateDir: dir.path, endpoint: 'http://127.0.0.1:45666', region: 'us-east-1', accountId: '000000000000'},
      {listener},
    )
    expect(agent.orphansKilled).toContain(orphan.pid)
    await listener.until(() => !alive(orphan.pid!))

    const ns = agent.discovery.createNamespace({name: 'test.demo.local'})
    agent.discovery.createService({name: 'api', namespaceId: ns.id})
    const spec = taskSpec([{command: ['sh', '-c', 'echo "$AWS_ENDPOINT_URL $AWS_ACCESS_KEY_ID"; echo "$PIER_DISCOVERY_HOSTS"']}])
    await agent.driver.start(spec)
    await listener.stopped(spec.taskId)
    const address = agent.discovery.resolve('api.test.demo.local')
    expect(listener.linesOf(spec.taskId)).toEqual(['http://127.0.0.1:45666 PIERLOCALACCESSKEY00', `api.test.demo.local=${address},api=${address}`])
    await agent.close()
    dir.remove()
  })
})
