import {mkdtempSync, rmSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {Duplex} from 'node:stream'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {dialSession} from '../../src/exec/client.js'
import type {ExecKms} from '../../src/exec/crypto.js'
import {SessionError} from '../../src/exec/errors.js'
import type {ExecProcess} from '../../src/local/agent/types.js'
import type {JsonService} from '../../src/local/frontend/types.js'
import {EXEC_KEY_ALIAS, installExec, type LocalExec} from '../../src/local/exec/index.js'
import {childProcess} from '../exec/helpers.js'

let dir: string
let server: Server
let exec: LocalExec
let kmsService: JsonService
let clusterKey: string | undefined
const closeHooks: (() => unknown)[] = []
const taskArn = 'arn:aws:ecs:us-east-1:000000000000:task/demo/t1'

beforeEach(async () => {
  clusterKey = undefined
  dir = mkdtempSync(join(tmpdir(), 'pier-exec-install-'))
  let upgrade: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined
  server = createServer()
  server.on('upgrade', (req, socket, head) => (req.url?.startsWith('/exec/') ? upgrade!(req, socket, head) : socket.destroy()))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  exec = installExec(
    {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      stateDir: dir,
      region: 'us-east-1',
      accountId: '000000000000',
      api: {
        // ECS as the broker sees it in process: the container's runtime id.
        async json(prefix, op, input) {
          expect(prefix).toBe('AmazonEC2ContainerServiceV20141113')
          if (op === 'DescribeClusters') {
            expect(input).toEqual({clusters: ['demo']})
            return {clusters: [{clusterName: 'demo', ...(clusterKey ? {configuration: {executeCommandConfiguration: {kmsKeyId: clusterKey}}} : {})}]}
          }
          expect([op, input]).toEqual(['DescribeTasks', {cluster: 'demo', tasks: [taskArn]}])
          return {tasks: [{taskArn, containers: [{name: 'web', runtimeId: 't1-4242'}]}]}
        },
        context: () => ({requestId: 'r', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'a'}),
      },
      register: (s) => (kmsService = s.json![0]!),
      addUpgradeHandler: (prefix, handler) => {
        expect(prefix).toBe('/exec/')
        upgrade = handler
      },
      onClose: (hook) => void closeHooks.push(hook),
    },
    // Extended mode: these tests read the exit code the agent reports.
    {driver: () => ({exec: (_t, _c, argv, o) => childProcess(argv, o) as ExecProcess}), mode: 'extended'},
  )
  exec.broker.startAgent('t1')
})

afterEach(async () => {
  for (const hook of closeHooks.splice(0)) await hook()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(dir, {recursive: true, force: true})
})

const ctx = {requestId: 'r', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'a'}
const clientKms: ExecKms = {
  async generateDataKey(input) {
    const out = (await kmsService.handle('GenerateDataKey', input, ctx)) as {Plaintext: string; CiphertextBlob: string}
    return {Plaintext: Buffer.from(out.Plaintext, 'base64'), CiphertextBlob: Buffer.from(out.CiphertextBlob, 'base64')}
  },
}

describe('installExec', () => {
  it('leaves sessions unencrypted when the cluster names no key, as on AWS', async () => {
    const s = await exec.broker.createSession({taskArn, taskId: 't1', container: 'web', command: 'echo plain', interactive: true})
    const session = await dialSession({streamUrl: s.streamUrl, tokenValue: s.tokenValue, targetId: 'ecs:demo_t1_t1-4242'})
    expect(session.encrypted).toBe(false)
    session.sendInput(Buffer.alloc(0))
    expect(await session.done).toMatchObject({exitCode: 0})
  })

  it('registers KMS and encrypts sessions with the cluster\'s key, bound to the ECS target id', async () => {
    expect(kmsService.targetPrefix).toBe('TrentService')
    clusterKey = exec.kms.ensureKey('alias/team/exec')
    const s = await exec.broker.createSession({taskArn, taskId: 't1', container: 'web', command: 'echo secret', interactive: true})
    const session = await dialSession({streamUrl: s.streamUrl, tokenValue: s.tokenValue, kms: clientKms, targetId: 'ecs:demo_t1_t1-4242'})
    expect(session.encrypted).toBe(true)
    const out: Buffer[] = []
    session.onStdout((d) => out.push(d))
    session.sendInput(Buffer.alloc(0))
    expect(await session.done).toMatchObject({exitCode: 0})
    expect(Buffer.concat(out).toString()).toBe('secret\n')
  })

  it('refuses a client whose data key is bound to another target', async () => {
    clusterKey = exec.kms.ensureKey(EXEC_KEY_ALIAS)
    const s = await exec.broker.createSession({taskArn, taskId: 't1', container: 'web', command: 'echo secret', interactive: true})
    const err = await dialSession({streamUrl: s.streamUrl, tokenValue: s.tokenValue, kms: clientKms, targetId: 'ecs:demo_t1_other'}).catch((e) => e)
    expect(err).toBeInstanceOf(SessionError)
    expect(err.message).toMatch(/data key could not be decrypted/)
  })
})
