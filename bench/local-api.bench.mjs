// API round trip against the local control plane started by `pier local start` (a daemon, as users run it):
// SSM GetParameter through the AWS SDK v3 with a keep-alive connection, then STS GetCallerIdentity (query
// protocol, XML). Each sample is one full signed request and response.
import {GetParameterCommand, PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {Sha256} from '@aws-crypto/sha256-js'
import {SignatureV4} from '@smithy/signature-v4'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const WARMUP = 300
const SAMPLES = 3000

async function sample(n, fn) {
  const out = []
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint()
    await fn()
    out.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return out
}

/** One keep-alive GET of the unsigned health check: the floor set by loopback HTTP and the scheduler. */
function healthGet(endpoint, agent) {
  return new Promise((resolve, reject) => {
    http.get(`${endpoint}/_pier/health`, {agent}, (res) => res.resume().on('end', resolve)).on('error', reject)
  })
}

/** A SigV4-signed GetParameter sent with plain node:http (signed once): the control plane's own cost
 * without the SDK's client-side work. */
async function rawSignedGet(s) {
  const url = new URL(s.endpoint)
  const body = '{"Name":"/bench/param"}'
  const signer = new SignatureV4({credentials: {accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey}, region: s.region, service: 'ssm', sha256: Sha256})
  const headers = {host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter', 'content-length': String(body.length)}
  const signed = await signer.sign({method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers, body})
  const agent = new http.Agent({keepAlive: true})
  const send = () =>
    new Promise((resolve, reject) => {
      const req = http.request(s.endpoint, {agent, method: 'POST', headers: signed.headers}, (res) => {
        if (res.statusCode !== 200) reject(new Error(`GetParameter answered ${res.statusCode}`))
        res.resume().on('end', resolve)
      })
      req.on('error', reject)
      req.end(body)
    })
  return {send, close: () => agent.destroy()}
}

export default async function (ctx) {
  const dir = mkdtempSync(join(tmpdir(), 'pier-bench-api-'))
  const run = (...args) => spawnSync(process.execPath, [ctx.bin, 'local', ...args, '--state-dir', dir], {env: ctx.env, encoding: 'utf8'})
  const start = run('start', '--port', '0')
  if (start.status !== 0) throw new Error(`pier local start failed: ${start.stderr}`)
  try {
    const s = JSON.parse(run('status', '--json').stdout)
    const config = {endpoint: s.endpoint, region: s.region, credentials: {accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey}}
    const ssm = new SSMClient(config)
    const sts = new STSClient(config)
    await ssm.send(new PutParameterCommand({Name: '/bench/param', Value: 'value', Type: 'String'}))
    const get = () => ssm.send(new GetParameterCommand({Name: '/bench/param'}))
    await sample(WARMUP, get)
    const ssmStats = ctx.stats(await sample(SAMPLES, get))
    const who = () => sts.send(new GetCallerIdentityCommand({}))
    await sample(WARMUP, who)
    const stsStats = ctx.stats(await sample(SAMPLES / 3, who))
    const agent = new http.Agent({keepAlive: true})
    const floor = () => healthGet(s.endpoint, agent)
    await sample(WARMUP, floor)
    const floorStats = ctx.stats(await sample(SAMPLES / 3, floor))
    agent.destroy()
    const raw = await rawSignedGet(s)
    await sample(WARMUP, raw.send)
    const rawStats = ctx.stats(await sample(SAMPLES / 3, raw.send))
    raw.close()
    ssm.destroy()
    sts.destroy()
    // The machine is shared: the load average tells how much of the time is waiting for a CPU.
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0]
    const note = `${ssmStats.n} samples, SDK v3 keep-alive, daemon on loopback, load average ${load}`
    return [
      {id: 'api-rtt-p50', label: 'API round trip p50 (SSM GetParameter)', value: ssmStats.p50, unit: 'ms', target: 1, note},
      {id: 'api-rtt-p99', label: 'API round trip p99 (SSM GetParameter)', value: ssmStats.p99, unit: 'ms', note},
      {id: 'api-rtt-raw-p50', label: 'API round trip p50 (signed GetParameter over node:http, no SDK)', value: rawStats.p50, unit: 'ms', target: 1, note: `${rawStats.n} samples: the control plane's own cost`},
      {id: 'http-floor-p50', label: 'Loopback HTTP floor p50 (unsigned health GET, keep-alive)', value: floorStats.p50, unit: 'ms', note: `load average ${load}`},
      {id: 'api-rtt-query-p50', label: 'API round trip p50 (STS GetCallerIdentity, query/XML)', value: stsStats.p50, unit: 'ms', note: `${stsStats.n} samples`},
    ]
  } finally {
    run('stop')
    rmSync(dir, {recursive: true, force: true})
  }
}
