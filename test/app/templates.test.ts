// Template uploads and their cleanup through Pier's own client factory against the local S3: the
// bucket is made once, each stack keeps only its latest upload, and removing an application's
// templates leaves other stacks' alone and the bucket only while something is in it.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {removeTemplates, templateUploader} from '../../src/app/templates.js'
import {createAwsClients} from '../../src/aws/clients.js'
import type {AwsClients} from '../../src/aws/interfaces.js'
import {startControlPlane, type Harness} from '../local/helpers.js'

let h: Harness
let aws: AwsClients
const saved = {...process.env}
const BUCKET = 'pier-templates-000000000000-us-east-1'

async function keys(): Promise<string[]> {
  const r = await aws.objects.listObjectsV2({Bucket: BUCKET})
  return (r.Contents ?? []).map((o) => o.Key!)
}

beforeAll(async () => {
  h = await startControlPlane()
  Object.assign(process.env, {AWS_ACCESS_KEY_ID: h.config.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: h.config.credentials.secretAccessKey})
  delete process.env.AWS_PROFILE
  delete process.env.AWS_SESSION_TOKEN
  aws = await createAwsClients({region: 'us-east-1', endpoint: h.config.endpoint})
})
afterAll(async () => {
  process.env = saved
  await h.close()
})

describe('templates over the inline limit', () => {
  it('uploads into the account bucket and keeps only the latest upload of each stack', async () => {
    let clock = 1000
    const upload = templateUploader(aws, () => clock++)
    const url = await upload('shop-test-web', '{"Resources":{}}')
    expect(url).toBe(`https://${BUCKET}.s3.us-east-1.amazonaws.com/shop-test-web/1000.json`)
    await upload('shop-test-api', '{"v":1}')
    await upload('shop-test-web', '{"v":2}')
    // A second uploader (another deploy) finds the bucket there.
    await templateUploader(aws, () => 5000)('other-test-web', '{}')
    expect(await keys()).toEqual(['other-test-web/5000.json', 'shop-test-api/1001.json', 'shop-test-web/1002.json'])
  })

  it('removes the templates of the stacks an application owns, then the bucket once empty', async () => {
    const shop = await removeTemplates(aws, (s) => s.startsWith('shop-test'))
    expect(shop).toEqual({objects: 2, bucketDeleted: false})
    expect(await keys()).toEqual(['other-test-web/5000.json'])
    expect(await removeTemplates(aws, (s) => s.startsWith('other-'))).toEqual({objects: 1, bucketDeleted: true})
    await expect(aws.objects.headBucket({Bucket: BUCKET})).rejects.toMatchObject({code: 'NotFound'})
    expect(await removeTemplates(aws, () => true)).toEqual({objects: 0, bucketDeleted: false})
  })

  it('lets parallel deploys race to create the bucket (none there yet)', async () => {
    // Every deploy finds the bucket missing before any creates it: two of the creates then conflict.
    let arrived = 0
    let release!: () => void
    const allLooked = new Promise<void>((resolve) => (release = resolve))
    const headBucket: AwsClients['objects']['headBucket'] = async (input) => {
      const seen = await aws.objects.headBucket(input).then((ok) => ({ok}), (error: unknown) => ({error}))
      if (++arrived === 3) release()
      await allLooked
      if ('error' in seen) throw seen.error
      return seen.ok
    }
    const racing = {...aws, objects: {...aws.objects, headBucket}}
    const urls = await Promise.all(['a', 'b', 'c'].map((s) => templateUploader(racing, () => 7000)(`race-test-${s}`, '{}')))
    expect(urls).toHaveLength(3)
    expect((await keys()).filter((k) => k.startsWith('race-'))).toEqual(['race-test-a/7000.json', 'race-test-b/7000.json', 'race-test-c/7000.json'])
    await removeTemplates(aws, (s) => s.startsWith('race-'))
  })
})
