// End to end: a service whose template is over CloudFormation's 51,200-byte inline limit deploys
// through the template bucket on the local control plane (the real `pier` binary, CI=true, no stdin),
// its task sees every variable, a redeploy finds no changes, `pier svc delete` removes its template
// and `pier app delete` leaves no bucket.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {E2eWorkspace} from './harness.js'

const e2e = new E2eWorkspace('pier-bigtpl-')
const {ws, env} = e2e
const seen = join(e2e.root, 'seen.json')
const ok = e2e.ok.bind(e2e)
const VARIABLES = 400
const BUCKET = 'pier-templates-000000000000-us-east-1'

/** The template bucket's keys, through Pier's own client factory pointed at the running control plane. */
async function templateKeys(): Promise<string[] | 'no bucket'> {
  const {createAwsClients} = await import('../../src/aws/clients.js')
  const {isAwsError} = await import('../../src/aws/errors.js')
  const saved = {...process.env}
  Object.assign(process.env, {PIER_STATE_DIR: env.PIER_STATE_DIR, PIER_LOCAL_PORT: '0'})
  try {
    const aws = await createAwsClients({local: true})
    const r = await aws.objects.listObjectsV2({Bucket: BUCKET})
    return (r.Contents ?? []).map((o) => o.Key!)
  } catch (error) {
    if (isAwsError(error, 'NoSuchBucket')) return 'no bucket'
    throw error
  } finally {
    process.env = saved
  }
}

beforeAll(() => {
  mkdirSync(join(ws, 'api'), {recursive: true})
  // The task writes the variables it was given where the test can read them, then keeps running.
  writeFileSync(join(ws, 'api', 'main.js'), `const fs = require('fs')
const vars = Object.keys(process.env).filter((k) => k.startsWith('VAR_'))
fs.writeFileSync(process.env.SEEN_FILE, JSON.stringify({count: vars.length, last: process.env.VAR_${VARIABLES - 1}}))
setInterval(() => {}, 1000)
process.on('SIGTERM', () => process.exit(0))
`)
  writeFileSync(join(ws, 'api', 'Dockerfile'), 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "main.js"]\n')
})

afterAll(async () => {
  await e2e.cleanup()
}, 60_000)

describe('a template over the inline limit', {timeout: 120_000}, () => {
  it('renders a Backend Service with hundreds of variables to more than 51,200 bytes', async () => {
    await ok('app', 'init', 'bigtpl')
    await ok('env', 'init', '--name', 'test')
    await ok('svc', 'init', '--name', 'api', '--svc-type', 'Backend Service', '--dockerfile', 'api/Dockerfile', '--port', '8080')
    const manifest = join(ws, 'copilot', 'api', 'manifest.yml')
    const lines = Array.from({length: VARIABLES}, (_, i) => `  VAR_${i}: "${`value ${i} `.padEnd(100, '.')}"`)
    writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}\nvariables:\n  SEEN_FILE: ${seen}\n${lines.join('\n')}\n`)
    const template = parse((await ok('svc', 'package', '--name', 'api', '--env', 'test')).stdout)
    expect(Buffer.byteLength(JSON.stringify(template))).toBeGreaterThan(51_200)
  })

  it('deploys through the template bucket, and the task gets every variable', async () => {
    const r = await ok('deploy', '--name', 'api', '--env', 'test')
    expect(r.stderr).toMatch(/✔ Deployed api to test\./)
    for (let i = 0; i < 200 && !existsSync(seen); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(JSON.parse(readFileSync(seen, 'utf8'))).toEqual({count: VARIABLES, last: `value ${VARIABLES - 1} `.padEnd(100, '.')})
    const keys = await templateKeys()
    expect(keys).toEqual([expect.stringMatching(/^bigtpl-test-api\/\d+\.json$/)])
  })

  it('finds no changes on a redeploy, and keeps one template for the stack', async () => {
    const r = await ok('svc', 'deploy', '--name', 'api', '--env', 'test')
    expect(r.stderr).toMatch(/no changes/)
    expect(await templateKeys()).toEqual([expect.stringMatching(/^bigtpl-test-api\/\d+\.json$/)])
  })

  it('removes the service\'s template with the service, and the bucket with the application', async () => {
    await ok('svc', 'delete', '--name', 'api', '--yes')
    expect(await templateKeys()).toEqual([])
    await ok('app', 'delete', '--yes')
    expect(await templateKeys()).toBe('no bucket')
  })
})
