// The endpoint's smaller holes: presigned URLs dated in the future, signatures without host or scoped
// to another service, bodies buffered before the signature is checked, malformed S3 XML, and the
// modes of the files the control plane writes.
import {Sha256} from '@aws-crypto/sha256-js'
import {CloudFormationClient, CreateStackCommand} from '@aws-sdk/client-cloudformation'
import {CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand} from '@aws-sdk/client-cloudwatch-logs'
import {SignatureV4} from '@smithy/signature-v4'
import {readdirSync, statSync} from 'node:fs'
import {request} from 'node:http'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createCloudFormation} from '../../src/local/cloudformation/index.js'
import {LOCAL_REGION} from '../../src/local/contracts.js'
import {rawRequest, startControlPlane, type Harness} from './helpers.js'

let h: Harness
beforeAll(async () => {
  h = await startControlPlane()
})
afterAll(async () => {
  await h.close()
})

function signer(service: string): SignatureV4 {
  return new SignatureV4({credentials: h.config.credentials, region: LOCAL_REGION, service, sha256: Sha256, uriEscapePath: service !== 's3'})
}

describe('signatures', () => {
  it('refuses a presigned URL dated ten years ahead, whatever its X-Amz-Expires', async () => {
    await rawRequest(h.config.endpoint, {service: 's3', method: 'PUT', path: '/future', body: ''})
    const url = new URL(h.config.endpoint)
    const ahead = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000)
    const presigned = await signer('s3').presign({method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/future',
      query: {}, headers: {host: url.host}}, {signingDate: ahead, expiresIn: 1})
    const qs = new URLSearchParams(presigned.query as Record<string, string>).toString()
    const res = await fetch(`${h.config.endpoint}/future?${qs}`)
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('not valid yet')
  })

  it('refuses a signature that does not sign host', async () => {
    const r = await rawRequest(h.config.endpoint, {service: 'ssm', body: '{}', headers: {'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.DescribeParameters'},
      tamper: (s) => {
        const auth = s.headers.authorization!
        s.headers.authorization = auth.replace(/SignedHeaders=[^,]*/, (m) => m.replace(/(^SignedHeaders=|;)host(;|$)/, '$1').replace(/;$/, ''))
      }})
    expect(r.status).toBe(403)
    expect(r.text).toContain("'Host' or ':authority' must be a 'SignedHeader'")
  })

  it('refuses a signature scoped to S3 on an SSM call', async () => {
    const r = await rawRequest(h.config.endpoint, {service: 's3', body: '{}', headers: {'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.DescribeParameters'}})
    expect(r.status).toBe(403)
    expect(r.text).toContain("Credential should be scoped to correct service: 'ssm'")
    const ok = await rawRequest(h.config.endpoint, {service: 'ssm', body: '{}', headers: {'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.DescribeParameters'}})
    expect(ok.status).toBe(200)
  })

  it('answers an unsigned 60 MiB PUT before reading its body', async () => {
    const url = new URL(h.config.endpoint)
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({host: url.hostname, port: url.port, method: 'PUT', path: '/bucket/big', headers: {'content-length': String(60 * 1024 * 1024)}}, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', () => undefined)
      // Only 1 MiB is ever sent: the answer must not wait for the rest.
      req.write(Buffer.alloc(1024 * 1024))
      setTimeout(() => reject(new Error('no answer before the body was sent')), 10_000)
    })
    expect(status).toBe(403)
  })

  it('checks a signature that declares its payload hash before reading the body', async () => {
    const url = new URL(h.config.endpoint)
    const size = 60 * 1024 * 1024
    const wrong = new SignatureV4({credentials: {accessKeyId: h.config.credentials.accessKeyId, secretAccessKey: 'not-the-secret'}, region: LOCAL_REGION, service: 's3', sha256: Sha256, uriEscapePath: false})
    const signed = await wrong.sign({method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/bucket/big', query: {},
      headers: {host: url.host, 'content-length': String(size), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD'}})
    const headers = {...(signed.headers as Record<string, string>)}
    delete headers.host
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({host: url.hostname, port: url.port, method: 'PUT', path: '/bucket/big', headers}, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', () => undefined)
      req.write(Buffer.alloc(1024 * 1024))
      setTimeout(() => reject(new Error('no answer before the body was sent')), 10_000)
    })
    expect(status).toBe(403)
  })
})

describe('S3 XML', () => {
  it('answers MalformedXML for a character reference to no character and for a malformed CreateBucket document', async () => {
    await rawRequest(h.config.endpoint, {service: 's3', method: 'PUT', path: '/xmlbucket', body: ''})
    const del = await rawRequest(h.config.endpoint, {service: 's3', method: 'POST', path: '/xmlbucket', query: {delete: ''},
      body: '<Delete><Object><Key>&#99999999;</Key></Object></Delete>'})
    expect(del.status).toBe(400)
    expect(del.text).toContain('MalformedXML')
    for (const body of ['<CreateBucketConfiguration><LocationConstraint>us-east-1</CreateBucketConfiguration>', 'not xml at all', '<Other/>']) {
      const r = await rawRequest(h.config.endpoint, {service: 's3', method: 'PUT', path: '/malformed-bucket', body})
      expect(r.status, body).toBe(400)
      expect(r.text).toContain('MalformedXML')
    }
    const good = await rawRequest(h.config.endpoint, {service: 's3', method: 'PUT', path: '/wellformed-bucket',
      body: '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>'})
    expect(good.status).toBe(200)
  })
})

describe('file modes', {timeout: 30_000}, () => {
  it('writes log events and CloudFormation events readable by their owner only', async () => {
    const logs = new CloudWatchLogsClient(h.config)
    await logs.send(new CreateLogGroupCommand({logGroupName: 'modes'}))
    await logs.send(new CreateLogStreamCommand({logGroupName: 'modes', logStreamName: 's'}))
    await logs.send(new PutLogEventsCommand({logGroupName: 'modes', logStreamName: 's', logEvents: [{timestamp: Date.now(), message: 'm'}]}))
    const cfn = createCloudFormation({stateDir: h.stateDir, api: h.cp.api, region: LOCAL_REGION, accountId: '000000000000'})
    h.cp.register({query: [cfn.service]})
    await new CloudFormationClient(h.config).send(new CreateStackCommand({StackName: 'modes',
      TemplateBody: JSON.stringify({Resources: {P: {Type: 'AWS::SSM::Parameter', Properties: {Type: 'String', Value: 'x'}}}})}))
    await cfn.idle()
    await h.cp.close().then(() => cfn.close())
    const files: string[] = []
    const walk = (d: string) => {
      for (const e of readdirSync(d, {withFileTypes: true})) {
        if (e.isDirectory()) walk(join(d, e.name))
        else files.push(join(d, e.name))
      }
    }
    walk(h.stateDir)
    const events = files.filter((f) => f.endsWith('.ndjson'))
    expect(events.length).toBeGreaterThanOrEqual(2)
    const loose = files.filter((f) => (statSync(f).mode & 0o077) !== 0)
    expect(loose).toEqual([])
    h = await startControlPlane()
  })
})
