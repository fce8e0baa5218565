import {mkdtempSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand, KMSClient} from '@aws-sdk/client-kms'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {ServiceError} from '../../src/local/frontend/types.js'
import {createKms} from '../../src/local/kms/index.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pier-kms-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

const ctx = {requestId: 'r', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'k'}
const newKms = () => createKms({stateDir: dir, region: 'us-east-1', accountId: '000000000000'})

describe('local KMS', () => {
  it('creates keys, describes them by id, ARN and alias', async () => {
    const kms = newKms()
    const {KeyMetadata} = (await kms.service.handle('CreateKey', {Description: 'exec'}, ctx)) as any
    expect(KeyMetadata.Arn).toBe(`arn:aws:kms:us-east-1:000000000000:key/${KeyMetadata.KeyId}`)
    await kms.service.handle('CreateAlias', {AliasName: 'alias/exec', TargetKeyId: KeyMetadata.KeyId}, ctx)
    for (const ref of [KeyMetadata.KeyId, KeyMetadata.Arn, 'alias/exec', 'arn:aws:kms:us-east-1:000000000000:alias/exec']) {
      expect(((await kms.service.handle('DescribeKey', {KeyId: ref}, ctx)) as any).KeyMetadata.KeyId).toBe(KeyMetadata.KeyId)
    }
    await expect(kms.service.handle('DescribeKey', {KeyId: 'alias/missing'}, ctx)).rejects.toMatchObject({code: 'NotFoundException'})
  })

  it('generates data keys that decrypt only with the same encryption context, across restarts', async () => {
    const arn = newKms().ensureKey('alias/pier/exec')
    const context = {'aws:ssm:SessionId': 's', 'aws:ssm:TargetId': 't'}
    const out = (await newKms().service.handle('GenerateDataKey', {KeyId: 'alias/pier/exec', NumberOfBytes: 64, EncryptionContext: context}, ctx)) as any
    expect(out.KeyId).toBe(arn)
    expect(Buffer.from(out.Plaintext, 'base64')).toHaveLength(64)
    const again = newKms()
    expect(again.ensureKey('alias/pier/exec')).toBe(arn)
    expect((await again.decrypt(Buffer.from(out.CiphertextBlob, 'base64'), context)).toString('base64')).toBe(out.Plaintext)
    await expect(again.decrypt(Buffer.from(out.CiphertextBlob, 'base64'), {...context, 'aws:ssm:TargetId': 'other'})).rejects.toMatchObject({
      code: 'InvalidCiphertextException',
    })
    const tampered = Buffer.from(out.CiphertextBlob, 'base64')
    tampered[tampered.length - 1]! ^= 1
    await expect(again.decrypt(tampered, context)).rejects.toBeInstanceOf(ServiceError)
  })

  it('encrypts and decrypts small payloads and refuses keys pending deletion', async () => {
    const kms = newKms()
    const arn = kms.ensureKey('alias/k')
    const enc = (await kms.service.handle('Encrypt', {KeyId: arn, Plaintext: Buffer.from('hello').toString('base64')}, ctx)) as any
    const dec = (await kms.service.handle('Decrypt', {CiphertextBlob: enc.CiphertextBlob}, ctx)) as any
    expect(Buffer.from(dec.Plaintext, 'base64').toString()).toBe('hello')
    await kms.service.handle('ScheduleKeyDeletion', {KeyId: arn, PendingWindowInDays: 7}, ctx)
    await expect(kms.service.handle('Decrypt', {CiphertextBlob: enc.CiphertextBlob}, ctx)).rejects.toMatchObject({code: 'KMSInvalidStateException'})
  })

  describe('through the AWS SDK', () => {
    let server: Server
    afterEach(() => new Promise<void>((r) => server.close(() => r())))

    it('speaks the JSON 1.1 wire format the SDK expects', async () => {
      const kms = newKms()
      // A bare JSON 1.1 dispatcher standing in for the frontend (no signature check here).
      server = createServer((req, res) => {
        let body = ''
        req.on('data', (c) => (body += c))
        req.on('end', async () => {
          const op = String(req.headers['x-amz-target']).split('.')[1]!
          try {
            const out = await kms.service.handle(op, JSON.parse(body || '{}'), ctx)
            res.writeHead(200, {'content-type': 'application/x-amz-json-1.1'}).end(JSON.stringify(out))
          } catch (e) {
            const err = e as ServiceError
            res.writeHead(err.status ?? 500, {'content-type': 'application/x-amz-json-1.1'}).end(JSON.stringify({__type: err.code, message: err.message}))
          }
        })
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      const client = new KMSClient({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        credentials: {accessKeyId: 'a', secretAccessKey: 'b'},
      })
      const created = await client.send(new CreateKeyCommand({Description: 'sdk'}))
      expect(created.KeyMetadata?.CreationDate).toBeInstanceOf(Date)
      const context = {'aws:ssm:SessionId': 's'}
      const key = await client.send(new GenerateDataKeyCommand({KeyId: created.KeyMetadata!.KeyId!, NumberOfBytes: 64, EncryptionContext: context}))
      expect(key.Plaintext).toHaveLength(64)
      const back = await client.send(new DecryptCommand({CiphertextBlob: key.CiphertextBlob, EncryptionContext: context}))
      expect(Buffer.from(back.Plaintext!).equals(Buffer.from(key.Plaintext!))).toBe(true)
      await expect(client.send(new DecryptCommand({CiphertextBlob: key.CiphertextBlob}))).rejects.toMatchObject({name: 'InvalidCiphertextException'})
      client.destroy()
    })
  })
})
