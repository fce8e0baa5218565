import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {appContext} from '../../src/app/context.js'
import {verify} from '../../src/app/verify.js'
import {AwsError} from '../../src/aws/errors.js'
import {fakeSsm} from './fake-ssm.js'

const root = mkdtempSync(join(tmpdir(), 'pier-verify-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))
mkdirSync(join(root, 'copilot', 'api'), {recursive: true})
writeFileSync(join(root, 'copilot', '.workspace'), 'application: demo\n')
mkdirSync(join(root, 'copilot', 'environments', 'test'), {recursive: true})
writeFileSync(join(root, 'copilot', 'environments', 'test', 'manifest.yml'), 'name: test\ntype: Environment\n')
writeFileSync(join(root, 'copilot', 'api', 'manifest.yml'), 'name: api\ntype: Backend Service\nimage:\n  build: api/Dockerfile\nsecrets:\n  DB_URL: /copilot/demo/test/secrets/db\n  TOKEN:\n    secretsmanager: demo/token\n')

describe('verify', () => {
  it('locates missing secrets, a missing Dockerfile and an environment not deployed', async () => {
    const ssm = fakeSsm()
    const aws = {
      region: 'us-east-1',
      parameters: ssm,
      secrets: {describeSecret: async () => Promise.reject(new AwsError('ResourceNotFoundException', 'secretsmanager:DescribeSecret', 'not found'))},
      stacks: {describeStacks: async () => Promise.reject(new AwsError('ValidationError', 'cloudformation:DescribeStacks', 'Stack with id demo-test does not exist'))},
      identity: {getCallerIdentity: async () => ({Account: '111122223333'})},
    } as never
    const ctx = appContext({aws, emit: () => {}, timing: {now: Date.now, sleep: async () => {}, random: Math.random}, cwd: root})
    const result = await verify(ctx, {env: 'test'})
    expect(result.ok).toBe(false)
    const byCode = Object.fromEntries(result.findings.map((f) => [f.code, f]))
    expect(result.findings.find((f) => f.code === 'secret-missing')).toMatchObject({file: join('copilot', 'api', 'manifest.yml'), line: 6, col: 3, severity: 'error', path: 'secrets.DB_URL'})
    expect(result.findings.filter((f) => f.code === 'secret-missing').map((f) => f.line)).toEqual([6, 7])
    expect(byCode['dockerfile-missing']).toMatchObject({line: 4, severity: 'error'})
    expect(byCode['env-not-deployed']).toMatchObject({severity: 'warning', hint: 'Deploy it now with `pier env deploy --name test`.'})

    ssm.values.set('/copilot/demo/test/secrets/db', 'x')
    const again = await verify(ctx, {env: 'test'})
    expect(again.findings.filter((f) => f.code === 'secret-missing').map((f) => f.path)).toEqual(['secrets.TOKEN'])
  })
})
