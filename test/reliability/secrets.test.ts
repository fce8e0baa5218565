// A secret's value never appears in rendered templates, on stdout or stderr (also with --json), in
// logs, or in the control plane's state files outside the encrypted stores; yet the task gets it.
import {SSMClient, PutParameterCommand} from '@aws-sdk/client-ssm'
import {CreateSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {execFile} from 'node:child_process'
import {createHash} from 'node:crypto'
import {appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'

import {stopLocal} from '../../src/local/launcher.js'
import {bin, requireBuild} from '../local/cli.js'
import {report} from './profile.js'

const PARAM_VALUE = `pw-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`
const SECRET_VALUE = `key-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`
const sha = (s: string) => createHash('sha256').update(s).digest('hex')

let state: string
let work: string
const outputs: string[] = []

function pier(args: string[]): Promise<{code: number; out: string}> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], {cwd: work, env: {...process.env, CI: 'true', PIER_STATE_DIR: state, PIER_LOCAL_PORT: '0'}, maxBuffer: 64 * 1024 * 1024}, (err, stdout, stderr) => {
      outputs.push(stdout, stderr)
      resolve({code: err ? ((err as {code?: number}).code ?? 1) : 0, out: stdout + stderr})
    })
    child.stdin?.end()
  })
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    const s = statSync(p)
    return s.isDirectory() ? filesUnder(p) : s.isFile() ? [p] : []
  })
}

beforeAll(async () => {
  requireBuild()
  state = mkdtempSync(join(tmpdir(), 'pier-secrets-state-'))
  work = mkdtempSync(join(tmpdir(), 'pier-secrets-ws-'))
  cpSync(join(import.meta.dirname, '..', '..', 'manifests', 'demo'), work, {recursive: true})
  appendFileSync(join(work, 'copilot', 'api', 'manifest.yml'), '\nsecrets:\n  DB_PASSWORD: /demo/test/db-password\n  API_KEY:\n    secretsmanager: demo/test/api-key\n')
  const started = await pier(['local', 'start', '--port', '0'])
  expect(started.code, started.out).toBe(0)
  const status = JSON.parse(readFileSync(join(state, 'control-plane.json'), 'utf8'))
  const config = {endpoint: status.endpoint, region: status.region, credentials: {accessKeyId: status.accessKeyId, secretAccessKey: status.secretAccessKey}}
  await new SSMClient(config).send(new PutParameterCommand({Name: '/demo/test/db-password', Type: 'SecureString', Value: PARAM_VALUE}))
  await new SecretsManagerClient(config).send(new CreateSecretCommand({Name: 'demo/test/api-key', SecretString: SECRET_VALUE}))
})

afterAll(async () => {
  await stopLocal(state, {timeoutMs: 15_000})
  rmSync(state, {recursive: true, force: true})
  rmSync(work, {recursive: true, force: true})
})

it('keeps secret values out of templates, output, logs and state, and gives them to the task', async () => {
  const pkg = await pier(['svc', 'package', '--name', 'api', '--env', 'test', '--output-dir', join(work, 'out')])
  expect(pkg.code, pkg.out).toBe(0)
  const deployed = await pier(['deploy', '--name', 'api', '--env', 'test', '--local', '--json'])
  expect(deployed.code, deployed.out).toBe(0)
  for (const args of [['svc', 'show', '--name', 'api', '--env', 'test', '--local', '--json'], ['svc', 'show', '--name', 'api', '--env', 'test', '--local'], ['svc', 'status', '--name', 'api', '--env', 'test', '--local', '--json'], ['svc', 'logs', '--name', 'api', '--env', 'test', '--local']]) {
    const r = await pier(args)
    expect(r.code, `${args.join(' ')}: ${r.out}`).toBe(0)
  }
  // The task has both values: checked by digest, so the values never travel through the session either.
  const probe = 'const h = (s) => require("crypto").createHash("sha256").update(s || "").digest("hex"); console.log(h(process.env.DB_PASSWORD) + " " + h(process.env.API_KEY))'
  const exec = await pier(['svc', 'exec', '--name', 'api', '--env', 'test', '--local', '--command', `node -e '${probe}'`])
  expect(exec.code, exec.out).toBe(0)
  expect(exec.out).toContain(`${sha(PARAM_VALUE)} ${sha(SECRET_VALUE)}`)

  const places: [string, string][] = [
    ...filesUnder(join(work, 'out')).map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
    ...outputs.map((o, i): [string, string] => [`command output ${i}`, o]),
    ...filesUnder(state).map((f): [string, string] => [f, readFileSync(f).toString('latin1')]),
  ]
  for (const [where, text] of places) {
    expect(text.includes(PARAM_VALUE), `${where} holds the parameter's value`).toBe(false)
    expect(text.includes(SECRET_VALUE), `${where} holds the secret's value`).toBe(false)
  }
  report('secrets', {places_checked: places.length})
})
