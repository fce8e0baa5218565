// The whole way a user goes: deploy the demo workspace's web service (`exec: true`) to the local
// control plane with the built `pier`, then `pier svc exec --command` a command that reads stdin and
// exits non-zero; pier must print its output and exit with its code, through a terminal session as on
// AWS. No session-manager-plugin here.
import {spawn} from 'node:child_process'
import {cpSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'

import {bin, requireBuild, root} from '../cli.js'

let tmp: string
let workspace: string
let env: NodeJS.ProcessEnv

function pier(args: string[], stdin = ''): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {cwd: workspace, env})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({code, stdout, stderr}))
    child.stdin.end(stdin)
  })
}

beforeAll(() => {
  requireBuild()
  tmp = mkdtempSync(join(tmpdir(), 'pier-svc-exec-'))
  workspace = join(tmp, 'demo')
  cpSync(join(root, 'manifests', 'demo'), workspace, {recursive: true})
  env = {...process.env, CI: 'true', NO_COLOR: '1', PIER_STATE_DIR: join(tmp, 'state'), PIER_LOCAL_PORT: '0'}
})

afterAll(async () => {
  await pier(['local', 'stop'])
  rmSync(tmp, {recursive: true, force: true})
})

it('deploys a service with exec: true and runs pier svc exec --command with a non-zero exit', async () => {
  const envDeploy = await pier(['env', 'deploy', '-n', 'test', '--local'])
  expect(envDeploy.stderr).toContain('Deployed environment test.')
  const svcDeploy = await pier(['svc', 'deploy', '-n', 'web', '-e', 'test', '--local'])
  expect(svcDeploy.stderr).toContain('Deployed web to test.')

  const r = await pier(['svc', 'exec', '-n', 'web', '-e', 'test', '--local', '--command', 'read line; echo "got $line in $COPILOT_SERVICE_NAME"; echo warning >&2; exit 5'], 'stdin line\n')
  // The local control plane behaves like ECS by default: a terminal session, so stderr comes with stdout.
  expect(r.stdout).toBe('got stdin line in web\nwarning\n')
  expect(r.stderr).toMatch(/Starting a session in task \w+, container web\./)
  expect(r.code).toBe(5)
}, 240_000)
