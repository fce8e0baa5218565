// The local S3 against a daemon started by `pier local start`, through the SDK v3 S3Client (path style,
// keep-alive): PutObject, GetObject and HeadObject of a 60 KB object (a template just over the inline
// limit), ListObjectsV2 of a 1,000-key bucket, and the throughput of an 8 MiB PutObject. A PutObject
// writes and flushes the object file and the index before it answers.
import {CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client} from '@aws-sdk/client-s3'
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

async function sample(n, fn) {
  const out = []
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint()
    await fn(i)
    out.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return out
}

export default async function (ctx) {
  const dir = mkdtempSync(join(tmpdir(), 'pier-bench-s3-'))
  const run = (...args) => spawnSync(process.execPath, [ctx.bin, 'local', ...args, '--state-dir', dir], {env: ctx.env, encoding: 'utf8'})
  const start = run('start', '--port', '0')
  if (start.status !== 0) throw new Error(`pier local start failed: ${start.stderr}`)
  try {
    const s = JSON.parse(run('status', '--json').stdout)
    const s3 = new S3Client({endpoint: s.endpoint, region: s.region, forcePathStyle: true, credentials: {accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey}})
    await s3.send(new CreateBucketCommand({Bucket: 'bench'}))
    const template = randomBytes(30 * 1024).toString('hex')
    const put = (i) => s3.send(new PutObjectCommand({Bucket: 'bench', Key: `stack/${i % 20}.json`, Body: template, ContentType: 'application/json'}))
    await sample(20, put)
    const putStats = ctx.stats(await sample(300, put))
    const get = async () => (await s3.send(new GetObjectCommand({Bucket: 'bench', Key: 'stack/1.json'}))).Body.transformToString()
    await sample(20, get)
    const getStats = ctx.stats(await sample(300, get))
    const head = () => s3.send(new HeadObjectCommand({Bucket: 'bench', Key: 'stack/1.json'}))
    await sample(20, head)
    const headStats = ctx.stats(await sample(300, head))

    await s3.send(new CreateBucketCommand({Bucket: 'many'}))
    for (let i = 0; i < 1000; i++) await s3.send(new PutObjectCommand({Bucket: 'many', Key: `k/${String(i).padStart(4, '0')}`, Body: 'x'}))
    const list = () => s3.send(new ListObjectsV2Command({Bucket: 'many'}))
    await sample(5, list)
    const listStats = ctx.stats(await sample(50, list))

    const big = randomBytes(8 * 1024 * 1024)
    const bigPut = (i) => s3.send(new PutObjectCommand({Bucket: 'bench', Key: `big/${i}`, Body: big}))
    await sample(1, bigPut)
    const bigStats = ctx.stats(await sample(5, bigPut))
    s3.destroy()
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0]
    const note = `SDK v3 keep-alive, daemon on loopback, load average ${load}`
    return [
      {id: 's3-put-60k-p50', label: 'S3 PutObject 60 KB p50 (flushed to disk)', value: putStats.p50, unit: 'ms', note: `${putStats.n} samples, two fsyncs (object, index), ${note}`},
      {id: 's3-get-60k-p50', label: 'S3 GetObject 60 KB p50', value: getStats.p50, unit: 'ms', note: `${getStats.n} samples`},
      {id: 's3-head-p50', label: 'S3 HeadObject p50', value: headStats.p50, unit: 'ms', note: `${headStats.n} samples`},
      {id: 's3-list-1000-p50', label: 'S3 ListObjectsV2 of 1,000 keys p50', value: listStats.p50, unit: 'ms', note: `${listStats.n} samples`},
      {id: 's3-put-8m-rate', label: 'S3 PutObject 8 MiB throughput (p50)', value: 8 / (bigStats.p50 / 1000), unit: 'MiB/s', note: `${bigStats.n} samples`},
    ]
  } finally {
    run('stop')
    rmSync(dir, {recursive: true, force: true})
  }
}
