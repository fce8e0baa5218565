import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {createLoadBalancing, type LocalLoadBalancing} from '../../../src/local/elb/index.js'
import {decodeQueryParams} from '../../../src/local/query-params.js'
import {wildcardMatch} from '../../../src/local/elb/rules.js'
import {matcherAccepts} from '../../../src/local/elb/health.js'

const opts = (stateDir: string) => ({stateDir, region: 'us-east-1', accountId: '000000000000', drainCapMs: 300, health: {maxIntervalMs: 50, initialIntervalMs: 20}})

function backend(body: string, status = 200): Promise<http.Server & {port: number; hits: number}> {
  const server = http.createServer((req, res) => {
    ;(server as any).hits++
    res.writeHead(req.url === '/health' ? status : 200, {'content-type': 'text/plain'})
    res.end(`${body} ${req.url} ${req.headers['x-forwarded-proto']}`)
  }) as http.Server & {port: number; hits: number}
  server.hits = 0
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(Object.assign(server, {port: (server.address() as AddressInfo).port}))))
}

function get(url: string, headers: Record<string, string> = {}): Promise<{status: number; body: string; location?: string}> {
  return new Promise((resolve, reject) => {
    http
      .get(url, {headers, agent: false}, (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (d) => (body += d))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body, location: res.headers.location}))
      })
      .on('error', reject)
  })
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached')
    await new Promise((r) => setTimeout(r, 10))
  }
}

const q = (elb: LocalLoadBalancing, action: string, params: Record<string, string>) => elb.service.handle(action, params, {} as any) as Promise<any>

describe('query parameter decoding', () => {
  it('turns member lists and nested configs back into arrays and objects', () => {
    expect(
      decodeQueryParams({
        Action: 'CreateRule',
        'Conditions.member.1.Field': 'path-pattern',
        'Conditions.member.1.PathPatternConfig.Values.member.2': '/b/*',
        'Conditions.member.1.PathPatternConfig.Values.member.1': '/a/*',
        'Actions.member.1.Type': 'forward',
        Priority: '10',
      }),
    ).toEqual({
      Conditions: [{Field: 'path-pattern', PathPatternConfig: {Values: ['/a/*', '/b/*']}}],
      Actions: [{Type: 'forward'}],
      Priority: '10',
    })
  })
})

describe('matching', () => {
  it.each([
    ['/api/*', '/api/users', true],
    ['/api/*', '/apix', false],
    ['/a?c', '/abc', true],
    ['*', '/anything', true],
  ])('%s against %s is %s', (p, v, want) => expect(wildcardMatch(p, v)).toBe(want))
  it('reads matcher ranges and lists', () => {
    expect(matcherAccepts('200-299', 204)).toBe(true)
    expect(matcherAccepts('200,302', 302)).toBe(true)
    expect(matcherAccepts('200', 500)).toBe(false)
  })
})

describe('local load balancer', () => {
  let dir: string
  let elb: LocalLoadBalancing
  const servers: http.Server[] = []
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pier-elb-'))
    elb = await createLoadBalancing(opts(dir))
  })
  afterEach(async () => {
    await elb.close()
    for (const s of servers.splice(0)) s.close()
    rmSync(dir, {recursive: true, force: true})
  })

  async function setup() {
    const lb = (await q(elb, 'CreateLoadBalancer', {Name: 'demo-test', 'Subnets.member.1': 'subnet-1'})).LoadBalancers[0]
    const tg = (await q(elb, 'CreateTargetGroup', {Name: 'web', Port: '80', Protocol: 'HTTP', TargetType: 'ip', HealthCheckPath: '/health', HealthyThresholdCount: '2'})).TargetGroups[0]
    const listener = (
      await q(elb, 'CreateListener', {
        LoadBalancerArn: lb.LoadBalancerArn,
        Port: '80',
        Protocol: 'HTTP',
        'DefaultActions.member.1.Type': 'fixed-response',
        'DefaultActions.member.1.FixedResponseConfig.StatusCode': '404',
        'DefaultActions.member.1.FixedResponseConfig.MessageBody': 'nothing here',
      })
    ).Listeners[0]
    await q(elb, 'CreateRule', {
      ListenerArn: listener.ListenerArn,
      Priority: '10',
      'Conditions.member.1.Field': 'path-pattern',
      'Conditions.member.1.Values.member.1': '/web/*',
      'Actions.member.1.Type': 'forward',
      'Actions.member.1.TargetGroupArn': tg.TargetGroupArn,
    })
    return {lb, tg, listener, url: `http://${lb.DNSName}`}
  }

  it('routes by rule to healthy targets in turn, and answers the default action otherwise', async () => {
    const {tg, url} = await setup()
    const a = await backend('a')
    const b = await backend('b')
    servers.push(a, b)
    expect((await get(`${url}/web/x`)).status).toBe(503) // no targets registered
    await q(elb, 'RegisterTargets', {TargetGroupArn: tg.TargetGroupArn, 'Targets.member.1.Id': '127.0.0.1', 'Targets.member.1.Port': String(a.port), 'Targets.member.2.Id': '127.0.0.1', 'Targets.member.2.Port': String(b.port)})
    await until(() => elb.health(tg.TargetGroupArn).every((t) => t.state === 'healthy'))
    const bodies = await Promise.all([1, 2, 3, 4].map(() => get(`${url}/web/x`).then((r) => r.body.split(' ')[0])))
    expect(new Set(bodies)).toEqual(new Set(['a', 'b']))
    expect((await get(`${url}/web/x`)).body).toMatch(/ \/web\/x http$/)
    const other = await get(`${url}/other`)
    expect(other).toMatchObject({status: 404, body: 'nothing here'})
    const health = await q(elb, 'DescribeTargetHealth', {TargetGroupArn: tg.TargetGroupArn})
    expect(health.TargetHealthDescriptions.map((d: any) => d.TargetHealth.State)).toEqual(['healthy', 'healthy'])
  })

  it('marks a target failing its health check unhealthy with the reason, and drains deregistered targets', async () => {
    const {tg, url} = await setup()
    const bad = await backend('bad', 500)
    const good = await backend('good')
    servers.push(bad, good)
    await elb.register(tg.TargetGroupArn, [{id: '127.0.0.1', port: bad.port}, {id: '127.0.0.1', port: good.port}])
    await until(() => elb.health(tg.TargetGroupArn).some((t) => t.state === 'unhealthy') && elb.health(tg.TargetGroupArn).some((t) => t.state === 'healthy'))
    expect(elb.health(tg.TargetGroupArn).find((t) => t.target.port === bad.port)?.reason).toBe('Target.ResponseCodeMismatch')
    for (let i = 0; i < 4; i++) expect((await get(`${url}/web/y`)).body.startsWith('good')).toBe(true)
    const drained = elb.deregister(tg.TargetGroupArn, [{id: '127.0.0.1', port: good.port}])
    expect(elb.health(tg.TargetGroupArn).find((t) => t.target.port === good.port)?.state).toBe('draining')
    await drained
    expect(elb.health(tg.TargetGroupArn).map((t) => t.target.port)).toEqual([bad.port])
    // Only an unhealthy target is left: the load balancer fails open to it, as an ALB does.
    expect((await get(`${url}/web/y`)).body.startsWith('bad')).toBe(true)
  })

  it('redirects with the redirect action and refuses duplicate listeners and priorities', async () => {
    const {lb, listener} = await setup()
    await q(elb, 'CreateRule', {
      ListenerArn: listener.ListenerArn,
      Priority: '5',
      'Conditions.member.1.Field': 'host-header',
      'Conditions.member.1.Values.member.1': 'old.example.com',
      'Actions.member.1.Type': 'redirect',
      'Actions.member.1.RedirectConfig.Protocol': 'HTTPS',
      'Actions.member.1.RedirectConfig.Port': '443',
      'Actions.member.1.RedirectConfig.Host': 'new.example.com',
      'Actions.member.1.RedirectConfig.StatusCode': 'HTTP_301',
    })
    const r = await get(`http://${lb.DNSName}/p?q=1`, {host: 'old.example.com'})
    expect(r).toMatchObject({status: 301, location: 'https://new.example.com/p?q=1'})
    await expect(q(elb, 'CreateListener', {LoadBalancerArn: lb.LoadBalancerArn, Port: '80', 'DefaultActions.member.1.Type': 'fixed-response', 'DefaultActions.member.1.FixedResponseConfig.StatusCode': '200'})).rejects.toMatchObject({code: 'DuplicateListener'})
    await expect(q(elb, 'CreateRule', {ListenerArn: listener.ListenerArn, Priority: '10', 'Conditions.member.1.Field': 'path-pattern', 'Conditions.member.1.Values.member.1': '/x', 'Actions.member.1.Type': 'fixed-response', 'Actions.member.1.FixedResponseConfig.StatusCode': '200'})).rejects.toMatchObject({code: 'PriorityInUse'})
    await expect(q(elb, 'DescribeLoadBalancers', {'Names.member.1': 'nope'})).rejects.toMatchObject({code: 'LoadBalancerNotFound'})
    const rules = await q(elb, 'DescribeRules', {ListenerArn: listener.ListenerArn})
    expect(rules.Rules.map((x: any) => x.Priority)).toEqual(['5', '10', 'default'])
  })

  it('refuses to delete a target group in use, and serves again after a restart from its state', async () => {
    const {tg, lb, url} = await setup()
    const a = await backend('a')
    servers.push(a)
    await expect(q(elb, 'DeleteTargetGroup', {TargetGroupArn: tg.TargetGroupArn})).rejects.toMatchObject({code: 'ResourceInUse'})
    await elb.register(tg.TargetGroupArn, [{id: '127.0.0.1', port: a.port}])
    await elb.close()
    elb = await createLoadBalancing(opts(dir))
    await until(() => elb.health(tg.TargetGroupArn).every((t) => t.state === 'healthy'))
    expect((await get(`${url}/web/z`)).body.startsWith('a')).toBe(true)
    await q(elb, 'DeleteLoadBalancer', {LoadBalancerArn: lb.LoadBalancerArn})
    await expect(get(`${url}/web/z`)).rejects.toThrow()
    await q(elb, 'DeleteTargetGroup', {TargetGroupArn: tg.TargetGroupArn})
    expect(elb.state.targetGroups).toEqual([])
  })
})
