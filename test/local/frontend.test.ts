import {GetParameterCommand, PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {SignatureV4} from '@smithy/signature-v4'
import {Sha256} from '@aws-crypto/sha256-js'
import {connect} from 'node:net'
import {PassThrough} from 'node:stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {Frontend, isLoopback} from '../../src/local/frontend/server.js'
import {ServiceError} from '../../src/local/frontend/types.js'
import {toXml} from '../../src/local/frontend/xml.js'
import {jsonHeaders, rawRequest, startControlPlane, type Harness} from './helpers.js'

let h: Harness
beforeAll(async () => {
  h = await startControlPlane()
  // A JSON 1.0 service and a query service with list and map results, to test the protocols themselves.
  h.cp.register({
    json: [
      {
        targetPrefix: 'TestJson10',
        signingName: 'testjson',
        async handle(op, input) {
          if (op === 'Fail') throw new ServiceError('ThingNotFoundException', 'no such thing', 400)
          if (op === 'Crash') throw new Error('bug')
          return {op, input, at: new Date(1_700_000_000_500)}
        },
      },
    ],
    query: [
      {
        signingName: 'testquery',
        version: '2020-01-01',
        xmlns: 'https://example.test/doc/2020-01-01/',
        async handle(action, params) {
          if (action === 'Fail') throw new ServiceError('Throttling', 'slow down <now> & later', 400)
          return {Items: ['a', 'b'], Echo: params.Thing, Attrs: new Map([['k', 'v']])}
        },
      },
    ],
  })
})
afterAll(() => h.close())

describe('JSON 1.1 with the AWS SDK', () => {
  it('serves SSM through the real client and refuses other credentials', async () => {
    const ssm = new SSMClient(h.config)
    await ssm.send(new PutParameterCommand({Name: '/f/a', Value: 'v', Type: 'String'}))
    expect((await ssm.send(new GetParameterCommand({Name: '/f/a'}))).Parameter?.Value).toBe('v')

    const other = new SSMClient({...h.config, credentials: {accessKeyId: 'AKIAOTHER', secretAccessKey: LOCAL_SECRET_ACCESS_KEY}})
    await expect(other.send(new GetParameterCommand({Name: '/f/a'}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: {httpStatusCode: 403},
    })
    const wrongSecret = new SSMClient({...h.config, credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: 'wrong'}})
    await expect(wrongSecret.send(new GetParameterCommand({Name: '/f/a'}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: {httpStatusCode: 403},
    })
  })

  it('refuses a request whose body was changed after signing', async () => {
    const r = await rawRequest(h.cp.endpoint, {
      service: 'ssm',
      headers: jsonHeaders('AmazonSSM.GetParameter'),
      body: JSON.stringify({Name: '/f/a'}),
      tamper: (s) => (s.body = JSON.stringify({Name: '/f/b'})),
    })
    expect(r.status).toBe(403)
    expect(r.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException')
  })

  it('refuses an unsigned request with MissingAuthenticationTokenException', async () => {
    const r = await rawRequest(h.cp.endpoint, {service: 'ssm', sign: false, headers: jsonHeaders('AmazonSSM.GetParameter'), body: '{}'})
    expect(r.status).toBe(403)
    expect(JSON.parse(r.text)).toEqual({__type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token'})
  })

  it('answers malformed JSON, unknown targets and service errors in the JSON error shape', async () => {
    const bad = await rawRequest(h.cp.endpoint, {service: 'ssm', headers: jsonHeaders('AmazonSSM.GetParameter'), body: '{"Name": '})
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.text).__type).toBe('SerializationException')
    const notObject = await rawRequest(h.cp.endpoint, {service: 'ssm', headers: jsonHeaders('AmazonSSM.GetParameter'), body: '[1]'})
    expect(JSON.parse(notObject.text).__type).toBe('SerializationException')
    const unknown = await rawRequest(h.cp.endpoint, {service: 'ssm', headers: jsonHeaders('Nope_2020.Do'), body: '{}'})
    expect([unknown.status, JSON.parse(unknown.text).__type]).toEqual([400, 'UnknownOperationException'])
    const fail = await rawRequest(h.cp.endpoint, {service: 'testjson', headers: jsonHeaders('TestJson10.Fail'), body: '{}'})
    expect(fail.status).toBe(400)
    expect(fail.headers.get('x-amzn-errortype')).toBe('ThingNotFoundException')
    expect(JSON.parse(fail.text)).toEqual({__type: 'ThingNotFoundException', message: 'no such thing'})
    const crash = await rawRequest(h.cp.endpoint, {service: 'testjson', headers: jsonHeaders('TestJson10.Crash'), body: '{}'})
    expect([crash.status, JSON.parse(crash.text).__type]).toEqual([500, 'InternalFailure'])
  })

  it('echoes JSON 1.0 and renders dates as epoch seconds', async () => {
    const r = await rawRequest(h.cp.endpoint, {
      service: 'testjson',
      headers: {'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'TestJson10.Echo'},
      body: '{"a":1}',
    })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.0')
    expect(r.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(JSON.parse(r.text)).toEqual({op: 'Echo', input: {a: 1}, at: 1_700_000_000.5})
  })

  it('answers an oversized body with 413 and keeps serving', async () => {
    const small = new Frontend({credentials: {accessKeyId: 'A', secretAccessKey: 'B'}, region: LOCAL_REGION, accountId: '1', bodyLimit: 1024})
    const port = await small.listen(0)
    try {
      const r = await rawRequest(`http://127.0.0.1:${port}`, {service: 'ssm', headers: jsonHeaders('AmazonSSM.GetParameter'), body: 'x'.repeat(4096), sign: false})
      expect(r.status).toBe(413)
      expect(JSON.parse(r.text).__type).toBe('RequestEntityTooLargeException')
      const again = await rawRequest(`http://127.0.0.1:${port}`, {service: 'ssm', headers: jsonHeaders('AmazonSSM.GetParameter'), body: '{}', sign: false})
      expect(again.status).toBe(403)
    } finally {
      await small.close()
    }
  })
})

describe('query protocol', () => {
  it('serves STS GetCallerIdentity through the real client', async () => {
    const id = await new STSClient(h.config).send(new GetCallerIdentityCommand({}))
    expect(id).toMatchObject({Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root'})
  })

  it('refuses other credentials with InvalidClientTokenId and a wrong secret with SignatureDoesNotMatch', async () => {
    const other = new STSClient({...h.config, credentials: {accessKeyId: 'AKIAOTHER', secretAccessKey: 'x'}})
    await expect(other.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({name: 'InvalidClientTokenId', $metadata: {httpStatusCode: 403}})
    const wrong = new STSClient({...h.config, credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: 'x'}})
    await expect(wrong.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({name: 'SignatureDoesNotMatch'})
  })

  it('serializes results as XML with member lists, maps and the request id', async () => {
    const r = await rawRequest(h.cp.endpoint, {
      service: 'testquery',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: 'Action=Describe&Version=2020-01-01&Thing=%3Cx%3E',
    })
    expect(r.status).toBe(200)
    const id = r.headers.get('x-amzn-requestid')
    expect(r.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeResponse xmlns="https://example.test/doc/2020-01-01/"><DescribeResult>' +
        '<Items><member>a</member><member>b</member></Items><Echo>&lt;x&gt;</Echo><Attrs><entry><key>k</key><value>v</value></entry></Attrs>' +
        `</DescribeResult><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></DescribeResponse>\n`,
    )
  })

  it('renders errors as ErrorResponse with Sender type', async () => {
    const r = await rawRequest(h.cp.endpoint, {service: 'testquery', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: 'Action=Fail&Version=2020-01-01'})
    expect(r.status).toBe(400)
    expect(r.text).toContain('<ErrorResponse xmlns="https://example.test/doc/2020-01-01/"><Error><Type>Sender</Type><Code>Throttling</Code>')
    expect(r.text).toContain('<Message>slow down &lt;now&gt; &amp; later</Message>')
    const unsigned = await rawRequest(h.cp.endpoint, {service: 'sts', sign: false, headers: {'content-type': 'application/x-www-form-urlencoded'}, body: 'Action=GetCallerIdentity'})
    expect(unsigned.status).toBe(403)
    expect(unsigned.text).toContain('<Code>MissingAuthenticationToken</Code>')
  })

  it('accepts presigned query-string authentication and refuses a tampered one', async () => {
    const url = new URL(h.cp.endpoint)
    const signer = new SignatureV4({credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}, region: LOCAL_REGION, service: 'sts', sha256: Sha256})
    const presigned = await signer.presign({
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {Action: 'GetCallerIdentity', Version: '2011-06-15'},
      headers: {host: url.host},
    })
    const qs = new URLSearchParams(presigned.query as Record<string, string>)
    const ok = await fetch(`${h.cp.endpoint}/?${qs}`)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('<Account>000000000000</Account>')
    qs.set('Version', '2011-06-16')
    const tampered = await fetch(`${h.cp.endpoint}/?${qs}`)
    expect(tampered.status).toBe(403)
  })
})

describe('peers and upgrades', () => {
  it('accepts only loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true)
    expect(['10.0.0.1', '192.168.1.1', '::ffff:10.0.0.1', 'fe80::1', undefined].some((a) => isLoopback(a))).toBe(false)
  })

  it('refuses a request from a non-loopback peer with 403', async () => {
    const front = new Frontend({credentials: {accessKeyId: 'A', secretAccessKey: 'B'}, region: LOCAL_REGION, accountId: '1'})
    const {IncomingMessage, ServerResponse} = await import('node:http')
    const socket = Object.assign(new PassThrough(), {remoteAddress: '10.1.2.3'})
    const req = new IncomingMessage(socket as never)
    Object.assign(req, {method: 'POST', url: '/', headers: jsonHeaders('AmazonSSM.GetParameter')})
    req.push(null)
    const res = new ServerResponse(req)
    let status = 0
    let body = ''
    const done = new Promise<void>((resolve) => {
      res.writeHead = ((code: number) => ((status = code), res)) as never
      res.end = ((chunk: Buffer) => ((body = String(chunk)), resolve(), res)) as never
    })
    await front.onRequest(req, res)
    await done
    expect(status).toBe(403)
    expect(JSON.parse(body).__type).toBe('AccessDeniedException')
  })

  it('hands websocket upgrades on a registered prefix to its handler and refuses others', async () => {
    h.cp.addUpgradeHandler('/test-upgrade/', (_req, socket) => socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'))
    const upgrade = (path: string) =>
      new Promise<string>((resolve) => {
        const s = connect(h.cp.port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`))
        let text = ''
        s.on('data', (d) => (text += d))
        s.on('close', () => resolve(text.split('\r\n')[0]!))
      })
    expect(await upgrade('/test-upgrade/session-1')).toBe('HTTP/1.1 101 Switching Protocols')
    expect(await upgrade('/other')).toBe('HTTP/1.1 404 Not Found')
  })
})

describe('toXml', () => {
  it('omits absent members and renders dates and booleans', () => {
    expect(toXml({A: undefined, B: null, C: true, D: new Date(0), E: {F: [1]}})).toBe('<C>true</C><D>1970-01-01T00:00:00.000Z</D><E><F><member>1</member></F></E>')
  })
})
