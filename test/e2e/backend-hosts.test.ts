// End to end: two Backend Services that both route `/` on the environment's internal load balancer, deployed
// by the real `pier` binary on the real local control plane. Each rule requires the service's own host
// names, as Copilot's did: a caller naming `<name>.<env>.<app>.internal` in the Host header reaches that
// service and no other, one calling the load balancer's DNS name (COPILOT_LB_DNS) reaches a service, and
// any other host gets the listener's 404.
import {readFileSync} from 'node:fs'
import {request} from 'node:http'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {E2eWorkspace} from './harness.js'

const e2e = new E2eWorkspace('pier-e2e-hosts-')
const ok = e2e.ok.bind(e2e)
const write = e2e.write.bind(e2e)

const server = `const http = require('http')
const s = http.createServer((req, res) => res.end(process.env.COPILOT_SERVICE_NAME + ' saw ' + req.headers.host))
s.listen(Number(process.env.PORT || 8080))
process.on('SIGTERM', () => s.close(() => process.exit(0)))
`

/** GET `/` of `address` (host:port) with the given Host header (the address itself without one). */
function get(address: string, host?: string): Promise<{status: number; body: string}> {
  const [hostname, port] = address.split(':')
  return new Promise((resolve, reject) => {
    const req = request({hostname, port: Number(port), path: '/', agent: false, timeout: 5000, headers: host ? {host} : {}}, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
    })
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.end()
  })
}

let lb: string

beforeAll(async () => {
  await ok('app', 'init', 'demo')
  await ok('env', 'init', '--name', 'test')
  for (const name of ['api', 'orders']) {
    write(`${name}/server.js`, server)
    write(`${name}/Dockerfile`, 'FROM node:20\nWORKDIR /app\nCOPY . .\nEXPOSE 8080\nCMD ["node", "server.js"]\n')
    await ok('svc', 'init', '--name', name, '--svc-type', 'Backend Service', '--dockerfile', `${name}/Dockerfile`, '--port', '8080')
    const manifest = `copilot/${name}/manifest.yml`
    write(manifest, `${readFileSync(join(e2e.ws, manifest), 'utf8')}\nhttp:\n  path: '/'\n`)
  }
  // In one command: the two deploys run side by side, and must not pick the same rule priority.
  await ok('deploy', '--name', 'api', '--name', 'orders', '--env', 'test')
  lb = JSON.parse((await ok('env', 'show', '--name', 'test', '--json')).stdout).internalLoadBalancer
}, 300_000)

afterAll(async () => {
  await e2e.cleanup()
}, 60_000)

describe('Backend Services sharing a path on the internal load balancer', {timeout: 60_000}, () => {
  it('each receives the requests for its own name in the private zone', async () => {
    expect(lb).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(await get(lb, 'api.test.demo.internal')).toEqual({status: 200, body: 'api saw api.test.demo.internal'})
    expect(await get(lb, 'orders.test.demo.internal')).toEqual({status: 200, body: 'orders saw orders.test.demo.internal'})
    // Host names match without regard to case, and with the port a caller may add.
    expect(await get(lb, `ORDERS.test.demo.internal:${lb.split(':')[1]}`)).toMatchObject({status: 200, body: expect.stringMatching(/^orders saw /)})
  })

  it("a caller of the load balancer's DNS name reaches a service; another host reaches none", async () => {
    expect(await get(lb)).toEqual({status: 200, body: expect.stringMatching(new RegExp(`^(api|orders) saw ${lb.replace(/\./g, '\\.')}$`))})
    expect((await get(lb, 'billing.test.demo.internal')).status).toBe(404)
    expect((await get(lb, '127.0.0.1')).status).toBe(404)
  })
})
