// CloudFormation's TemplateURL reader over the local S3: every URL form AWS accepts and the endpoint's
// own, straight from the store; a missing object, a foreign URL and a template over 1 MB refused.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {createS3, TEMPLATE_URL_LIMIT} from '../../src/local/s3/index.js'

const dir = mkdtempSync(join(tmpdir(), 'pier-s3-url-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const s3 = createS3({stateDir: dir, region: 'us-east-1', accountId: '000000000000', port: () => 4566})
const bucket = s3.store.createBucket('tpl', 'us-east-1')
const body = JSON.stringify({Resources: {}})
s3.store.put(bucket, {key: 'app-test/1.json', contentType: 'application/json', metadata: {}, headers: {}}, Buffer.from(body))
s3.store.put(bucket, {key: 'huge.json', contentType: 'application/json', metadata: {}, headers: {}}, Buffer.alloc(TEMPLATE_URL_LIMIT + 1, ' '))

describe('TemplateURL from the local S3', () => {
  it.each([
    'https://tpl.s3.us-east-1.amazonaws.com/app-test/1.json',
    'https://tpl.s3.amazonaws.com/app-test/1.json',
    'https://s3.us-east-1.amazonaws.com/tpl/app-test/1.json',
    'http://127.0.0.1:4566/tpl/app-test/1.json',
  ])('reads %s', async (url) => {
    expect(await s3.fetchTemplate(url)).toBe(body)
  })

  it('refuses a missing object, a foreign URL and a template over 1,000,000 bytes', async () => {
    await expect(s3.fetchTemplate('https://tpl.s3.us-east-1.amazonaws.com/app-test/2.json')).rejects.toThrow(/^S3 error: Access Denied/)
    await expect(s3.fetchTemplate('https://nobucket.s3.us-east-1.amazonaws.com/k.json')).rejects.toThrow(/^S3 error: Access Denied/)
    await expect(s3.fetchTemplate('https://example.com/tpl/app-test/1.json')).rejects.toThrow(/not an S3 object URL/)
    await expect(s3.fetchTemplate('http://127.0.0.1:9/tpl/app-test/1.json')).rejects.toThrow(/not an S3 object URL/)
    await expect(s3.fetchTemplate('https://tpl.s3.us-east-1.amazonaws.com/huge.json')).rejects.toThrow('Template may not exceed 1000000 bytes in size.')
  })
})
