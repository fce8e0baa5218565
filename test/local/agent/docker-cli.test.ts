// The container driver's Docker command lines, against a stand-in `docker` CLI that records every call
// and "runs" a container as a sleeping process (no Docker engine is available here). What this checks
// is the contract with Docker's CLI where it differs from podman's; docs/local-agent.md says what is
// tested with a real engine.
import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {ContainerDriver} from '../../../src/local/agent/container-driver.js'
import {createEngine} from '../../../src/local/agent/engine.js'
import {RecordingListener, taskSpec, tempDir} from './helpers.js'

const dir = tempDir('pier-docker-cli-')
afterAll(() => dir.remove())

const fake = `#!/bin/sh
D=${JSON.stringify(dir.path)}
echo "$*" >> "$D/calls"
case "$1" in
  info) echo 27.0.1 ;;
  image) exit 0 ;;
  inspect) cat "$D/$4.pid" 2>/dev/null || exit 1 ;;
  ps) exit 0 ;;
  run)
    name=""; prev=""
    for a in "$@"; do [ "$prev" = --name ] && name="$a"; prev="$a"; done
    echo "value of SECRET: $SECRET"
    echo $$ > "$D/$name.pid"
    trap 'exit 143' TERM
    sleep 600 & wait ;;
  kill|rm)
    for last in "$@"; do :; done
    [ -f "$D/$last.pid" ] && kill "$(cat "$D/$last.pid")" ;;
esac
`

describe('ContainerDriver with Docker', () => {
  it('runs, stops and removes containers with Docker\'s command lines', async () => {
    const docker = join(dir.path, 'docker')
    writeFileSync(docker, fake)
    chmodSync(docker, 0o755)
    const listener = new RecordingListener()
    const engine = createEngine(docker, join(dir.path, 'conf'))
    expect(engine.kind).toBe('docker')
    const driver = new ContainerDriver({stateDir: join(dir.path, 'state'), listener, engine, taskNetworks: false, defaultStopTimeout: 1})
    const spec = taskSpec([{image: 'example/app:1', entryPoint: ['/bin/app', '--serve'], command: ['--port', '8080'], portMappings: [{containerPort: 8080}], environment: {SECRET: 's3cr3t'}}])
    await driver.start(spec)
    const running = await listener.running(spec.taskId, 20_000)
    const hostPort = running.containers[0]!.networkBindings[0]!.hostPort
    expect(listener.linesOf(spec.taskId)).toContain('value of SECRET: s3cr3t')
    await driver.stop(spec.taskId, 'UserInitiated', 'done')
    await driver.shutdown()
    const calls = readFileSync(join(dir.path, 'calls'), 'utf8').trim().split('\n')
    const run = calls.find((c) => c.startsWith('run '))!
    const name = `pier-${spec.taskId}-c0`
    // Docker's one-word --entrypoint: the rest of the entry point goes before the command.
    expect(run).toMatch(new RegExp(`--entrypoint /bin/app .*example/app:1 --serve --port 8080$`))
    // Secrets by name only (the value comes from the client's environment); the host's gateway by name.
    expect(run).toContain('--env SECRET')
    expect(run).not.toContain('s3cr3t')
    expect(run).toContain('--add-host host.docker.internal:host-gateway')
    expect(run).toContain(`-p 127.0.0.1:${hostPort}:8080/tcp`)
    expect(run).not.toContain('--pidfile')
    expect(calls).toContain(`inspect --format {{.State.Pid}} ${name}`)
    expect(calls).toContain(`kill --signal SIGTERM ${name}`)
    expect(listener.last(spec.taskId)).toMatchObject({lastStatus: 'STOPPED', stopCode: 'UserInitiated'})
  }, 30_000)
})
