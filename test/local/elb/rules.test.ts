// Listener rules as an Application Load Balancer evaluates them, through the local load balancer's API and
// real HTTP requests: rules in ascending priority, the first whose conditions all match wins, each kind of
// condition, and the default action when nothing matches. Every rule answers a fixed response naming it.
import http from 'node:http'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createLoadBalancing, type LocalLoadBalancing} from '../../../src/local/elb/index.js'

function request(url: string, opts: {method?: string; headers?: Record<string, string>} = {}): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false}, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d) => (body += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
    })
    req.on('error', reject)
    req.end()
  })
}

const q = (elb: LocalLoadBalancing, action: string, params: Record<string, string>) => elb.service.handle(action, params, {} as any) as Promise<any>

/** A rule whose action answers 200 with `name`; `conditions` in the Query protocol's flattened form. */
function rule(listenerArn: string, priority: number, name: string, conditions: Record<string, string>): Record<string, string> {
  return {
    ListenerArn: listenerArn,
    Priority: String(priority),
    ...conditions,
    'Actions.member.1.Type': 'fixed-response',
    'Actions.member.1.FixedResponseConfig.StatusCode': '200',
    'Actions.member.1.FixedResponseConfig.MessageBody': name,
  }
}

const path = (n: number, v: string) => ({[`Conditions.member.${n}.Field`]: 'path-pattern', [`Conditions.member.${n}.PathPatternConfig.Values.member.1`]: v})

describe('listener rules', () => {
  let dir: string
  let elb: LocalLoadBalancing
  let url: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pier-elb-rules-'))
    elb = await createLoadBalancing({stateDir: dir, region: 'us-east-1', accountId: '000000000000', drainCapMs: 300, health: {maxIntervalMs: 50, initialIntervalMs: 20}})
    const lb = (await q(elb, 'CreateLoadBalancer', {Name: 'rules', 'Subnets.member.1': 'subnet-1'})).LoadBalancers[0]
    url = `http://${lb.DNSName}`
    const listener = (
      await q(elb, 'CreateListener', {
        LoadBalancerArn: lb.LoadBalancerArn,
        Port: '80',
        Protocol: 'HTTP',
        'DefaultActions.member.1.Type': 'fixed-response',
        'DefaultActions.member.1.FixedResponseConfig.StatusCode': '404',
        'DefaultActions.member.1.FixedResponseConfig.MessageBody': 'default',
      })
    ).Listeners[0]
    const arn = listener.ListenerArn as string
    // Created out of priority order, so that neither creation order nor descending order passes.
    const rules = [
      rule(arn, 20, 'order-broad', path(1, '/order/*')),
      rule(arn, 3, 'order-narrow', path(1, '/order/a*')),
      rule(arn, 40, 'order-last', path(1, '/order/*')),
      rule(arn, 5, 'host', {'Conditions.member.1.Field': 'host-header', 'Conditions.member.1.HostHeaderConfig.Values.member.1': 'API.Example.com'}),
      rule(arn, 6, 'host-wildcard', {'Conditions.member.1.Field': 'host-header', 'Conditions.member.1.HostHeaderConfig.Values.member.1': '*.example.org'}),
      rule(arn, 7, 'path-case', path(1, '/Case/*')),
      rule(arn, 8, 'header', {
        ...path(1, '/h/*'),
        'Conditions.member.2.Field': 'http-header',
        'Conditions.member.2.HttpHeaderConfig.HttpHeaderName': 'X-Env',
        'Conditions.member.2.HttpHeaderConfig.Values.member.1': 'beta*',
      }),
      rule(arn, 9, 'method', {
        ...path(1, '/m'),
        'Conditions.member.2.Field': 'http-request-method',
        'Conditions.member.2.HttpRequestMethodConfig.Values.member.1': 'POST',
        'Conditions.member.2.HttpRequestMethodConfig.Values.member.2': 'PUT',
      }),
      rule(arn, 11, 'query-key', {
        ...path(1, '/q'),
        'Conditions.member.2.Field': 'query-string',
        'Conditions.member.2.QueryStringConfig.Values.member.1.Key': 'version',
        'Conditions.member.2.QueryStringConfig.Values.member.1.Value': '2*',
      }),
      rule(arn, 12, 'query-any-key', {
        ...path(1, '/q'),
        'Conditions.member.2.Field': 'query-string',
        'Conditions.member.2.QueryStringConfig.Values.member.1.Value': 'beta',
      }),
      rule(arn, 13, 'ip-private', {
        ...path(1, '/ip'),
        'Conditions.member.2.Field': 'source-ip',
        'Conditions.member.2.SourceIpConfig.Values.member.1': '10.0.0.0/8',
      }),
      rule(arn, 14, 'ip-loopback', {
        ...path(1, '/ip'),
        'Conditions.member.2.Field': 'source-ip',
        'Conditions.member.2.SourceIpConfig.Values.member.1': '192.168.0.0/16',
        'Conditions.member.2.SourceIpConfig.Values.member.2': '127.0.0.0/8',
      }),
      rule(arn, 15, 'ip-single', {
        ...path(1, '/one'),
        'Conditions.member.2.Field': 'source-ip',
        'Conditions.member.2.SourceIpConfig.Values.member.1': '127.0.0.2/32',
      }),
    ]
    for (const r of rules) await q(elb, 'CreateRule', r)
  })

  afterAll(async () => {
    await elb?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  const body = async (p: string, opts: {method?: string; headers?: Record<string, string>} = {}) => (await request(`${url}${p}`, opts)).body

  it('tries rules in ascending priority: the lowest number that matches wins', async () => {
    expect(await body('/order/abc')).toBe('order-narrow')
    expect(await body('/order/xyz')).toBe('order-broad')
  })

  it('matches host headers without regard to case, with wildcards, ignoring the port', async () => {
    expect(await body('/anything', {headers: {host: 'api.example.COM'}})).toBe('host')
    expect(await body('/anything', {headers: {host: 'api.example.com:8080'}})).toBe('host')
    expect(await body('/anything', {headers: {host: 'www.Example.org'}})).toBe('host-wildcard')
    expect(await body('/anything', {headers: {host: 'example.org'}})).toBe('default')
    expect(await body('/anything', {headers: {host: 'api.example.com.evil'}})).toBe('default')
  })

  it('matches paths with regard to case', async () => {
    expect(await body('/Case/x')).toBe('path-case')
    expect(await body('/case/x')).toBe('default')
  })

  it('needs every condition of a rule: path and header', async () => {
    expect(await body('/h/1', {headers: {'x-env': 'BETA-2'}})).toBe('header')
    expect(await body('/h/1', {headers: {'x-env': 'prod'}})).toBe('default')
    expect(await body('/h/1')).toBe('default')
  })

  it('matches the request method against the listed methods', async () => {
    expect((await request(`${url}/m`, {method: 'POST'})).body).toBe('method')
    expect((await request(`${url}/m`, {method: 'PUT'})).body).toBe('method')
    expect((await request(`${url}/m`, {method: 'GET'})).body).toBe('default')
  })

  it('matches query strings by key and value, or by value under any key', async () => {
    expect(await body('/q?version=21')).toBe('query-key')
    expect(await body('/q?other=1&version=2')).toBe('query-key')
    expect(await body('/q?version=3')).toBe('default')
    expect(await body('/q?channel=BETA')).toBe('query-any-key')
    expect(await body('/q?channel=beta2')).toBe('default')
    expect(await body('/q')).toBe('default')
  })

  it('matches the source address against CIDR blocks', async () => {
    // The test's requests come from 127.0.0.1.
    expect(await body('/ip')).toBe('ip-loopback')
    expect(await body('/one')).toBe('default')
  })

  it('answers the default action, with its status, when no rule matches', async () => {
    expect(await request(`${url}/nowhere`)).toEqual({status: 404, body: 'default'})
  })
})
