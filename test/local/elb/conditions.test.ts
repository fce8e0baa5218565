// Each listener rule condition on its own, against requests built in memory: the forms ALB accepts (a
// config block, or the older top-level Values), several values (any one matches), missing headers and
// configs, and source addresses, IPv4-mapped IPv6 included. rules.test.ts covers the same through HTTP.
import type {IncomingMessage} from 'node:http'
import {describe, expect, it} from 'vitest'
import type {Action, Condition, RuleRecord} from '../../../src/local/elb/model.js'
import {conditionMatches, selectActions} from '../../../src/local/elb/rules.js'

function req(opts: {url?: string; method?: string; headers?: Record<string, string | string[]>; ip?: string} = {}): IncomingMessage {
  return {url: opts.url, method: opts.method, headers: opts.headers ?? {}, socket: {remoteAddress: opts.ip}} as unknown as IncomingMessage
}

function matches(c: Condition, r: IncomingMessage = req()): boolean {
  const url = new URL(r.url ?? '/', 'http://local')
  return conditionMatches(c, r, url.pathname, url.searchParams)
}

describe('path-pattern', () => {
  it('matches any of its values, whole path only, with regard to case', () => {
    const c: Condition = {Field: 'path-pattern', PathPatternConfig: {Values: ['/api/*', '/v?/x']}}
    expect(matches(c, req({url: '/v2/x'}))).toBe(true)
    expect(matches(c, req({url: '/api/users'}))).toBe(true)
    expect(matches(c, req({url: '/API/users'}))).toBe(false)
    expect(matches(c, req({url: '/old/api/users'}))).toBe(false)
    expect(matches(c, req({url: '/v22/x'}))).toBe(false)
    expect(matches({Field: 'path-pattern', PathPatternConfig: {Values: ['/a']}}, req({url: '/b/a'}))).toBe(false)
    expect(matches({Field: 'path-pattern', PathPatternConfig: {Values: ['/a.b']}}, req({url: '/axb'}))).toBe(false)
  })
  it('takes the older top-level Values, and a config without Field', () => {
    expect(matches({Field: 'path-pattern', Values: ['/legacy']}, req({url: '/legacy'}))).toBe(true)
    expect(matches({PathPatternConfig: {Values: ['/cfg']}}, req({url: '/cfg'}))).toBe(true)
    expect(matches({Field: 'path-pattern'}, req({url: '/'}))).toBe(false)
  })
})

describe('host-header', () => {
  it('matches any of its values without regard to case, ignoring the port', () => {
    const c: Condition = {Field: 'host-header', HostHeaderConfig: {Values: ['a.example.com', '*.example.org']}}
    expect(matches(c, req({headers: {host: 'www.EXAMPLE.org:8443'}}))).toBe(true)
    expect(matches(c, req({headers: {host: 'A.example.com'}}))).toBe(true)
    expect(matches(c, req({headers: {host: 'b.example.com'}}))).toBe(false)
    expect(matches(c, req())).toBe(false)
    expect(matches({HostHeaderConfig: {Values: ['cfg.example.com']}}, req({headers: {host: 'cfg.example.com'}}))).toBe(true)
  })
  it("matches a local load balancer's DNS name, which names its port, with the request's port", () => {
    const c: Condition = {Field: 'host-header', HostHeaderConfig: {Values: ['127.0.0.1:40123', 'api.test.shop.internal']}}
    expect(matches(c, req({headers: {host: '127.0.0.1:40123'}}))).toBe(true)
    expect(matches(c, req({headers: {host: 'API.test.shop.internal:40123'}}))).toBe(true)
    expect(matches(c, req({headers: {host: '127.0.0.1:40124'}}))).toBe(false)
    expect(matches(c, req({headers: {host: '127.0.0.1'}}))).toBe(false)
    expect(matches(c, req({headers: {host: 'orders.test.shop.internal:40123'}}))).toBe(false)
  })
})

describe('http-header', () => {
  const c: Condition = {Field: 'http-header', HttpHeaderConfig: {HttpHeaderName: 'X-Env', Values: ['prod', 'beta*']}}
  it('matches any value of the named header, also one of several values', () => {
    expect(matches(c, req({headers: {'x-env': 'Beta-7'}}))).toBe(true)
    expect(matches(c, req({headers: {'x-env': 'prod'}}))).toBe(true)
    expect(matches(c, req({headers: {'x-env': ['dev', 'beta']}}))).toBe(true)
    expect(matches(c, req({headers: {'x-env': ['dev', 'test']}}))).toBe(false)
  })
  it('does not match a missing header, even with a pattern that takes anything', () => {
    expect(matches({Field: 'http-header', HttpHeaderConfig: {HttpHeaderName: 'X-Env', Values: ['*']}}, req())).toBe(false)
    expect(matches({Field: 'http-header', HttpHeaderConfig: {HttpHeaderName: 'X-Env', Values: ['*']}}, req({headers: {'x-env': ''}}))).toBe(true)
  })
  it('does not match, nor fail, without a config, a name or values', () => {
    expect(matches({Field: 'http-header'}, req({headers: {'x-env': 'prod'}}))).toBe(false)
    expect(matches({Field: 'http-header', HttpHeaderConfig: {Values: ['prod']}}, req({headers: {'x-env': 'prod'}}))).toBe(false)
    expect(matches({Field: 'http-header', HttpHeaderConfig: {HttpHeaderName: 'X-Env'}}, req({headers: {'x-env': 'prod'}}))).toBe(false)
  })
})

describe('http-request-method', () => {
  it('matches the listed methods; a request without one is a GET', () => {
    const c: Condition = {Field: 'http-request-method', HttpRequestMethodConfig: {Values: ['GET', 'HEAD']}}
    expect(matches(c, req({method: 'HEAD'}))).toBe(true)
    expect(matches(c, req())).toBe(true)
    expect(matches(c, req({method: 'POST'}))).toBe(false)
    expect(matches({Field: 'http-request-method'}, req({method: 'GET'}))).toBe(false)
  })
})

describe('query-string', () => {
  it('matches a key and value, or a value under any key, any of several', () => {
    const c: Condition = {Field: 'query-string', QueryStringConfig: {Values: [{Key: 'v', Value: '2'}, {Value: 'beta'}]}}
    expect(matches(c, req({url: '/?v=2'}))).toBe(true)
    expect(matches(c, req({url: '/?channel=BETA'}))).toBe(true)
    expect(matches(c, req({url: '/?v=3'}))).toBe(false)
    // A value under another key does not satisfy a keyed pair.
    expect(matches(c, req({url: '/?w=2'}))).toBe(false)
    expect(matches(c, req({url: '/?v=3&v=2'}))).toBe(true)
    // Values compare without regard to case, keyed or not.
    expect(matches({Field: 'query-string', QueryStringConfig: {Values: [{Key: 'lang', Value: 'EN*'}]}}, req({url: '/?lang=en-gb'}))).toBe(true)
    expect(matches({Field: 'query-string'}, req({url: '/?v=2'}))).toBe(false)
  })
})

describe('source-ip', () => {
  const src = (values: string[], ip: string | undefined) => matches({Field: 'source-ip', SourceIpConfig: {Values: values}}, req({ip}))
  it('matches an address inside any of the blocks', () => {
    expect(src(['10.20.30.0/24'], '10.20.30.40')).toBe(true)
    expect(src(['10.20.30.40/32'], '10.20.30.40')).toBe(true)
    expect(src(['10.20.30.40'], '10.20.30.40')).toBe(true)
    expect(src(['192.168.0.0/16', '10.20.30.0/24'], '10.20.30.40')).toBe(true)
    expect(src(['0.0.0.0/0'], '203.0.113.9')).toBe(true)
  })
  it('does not match an address outside the blocks', () => {
    expect(src(['10.20.30.0/24'], '10.20.99.1')).toBe(false)
    expect(src(['10.20.30.41/32'], '10.20.30.40')).toBe(false)
    expect(src(['10.0.0.0/8'], '11.0.0.1')).toBe(false)
  })
  it('reads IPv4-mapped IPv6 addresses as IPv4', () => {
    expect(src(['127.0.0.0/8'], '::ffff:127.0.0.1')).toBe(true)
  })
  it('never matches what is not an IPv4 address or block', () => {
    expect(src(['0.0.0.0/0'], '::1')).toBe(false)
    expect(src(['0.0.0.0/0'], '1.2.3.4x')).toBe(false)
    expect(src(['0.0.0.0/0'], 'x1.2.3.4')).toBe(false)
    expect(src(['0.0.0.0/0'], undefined)).toBe(false)
    expect(src(['x.0.0.0/0'], '1.2.3.4')).toBe(false)
    expect(src(['x1.0.0.0/0'], '1.2.3.4')).toBe(false)
    expect(src(['0.0.0.0x/0'], '1.2.3.4')).toBe(false)
    expect(src(['/0'], '1.2.3.4')).toBe(false)
    expect(matches({Field: 'source-ip'}, req({ip: '1.2.3.4'}))).toBe(false)
  })
})

describe('rule selection', () => {
  const fixed = (body: string): Action[] => [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: '200', MessageBody: body}}]
  const rule = (priority: number, body: string, conditions: Condition[]): RuleRecord => ({arn: `r${priority}`, listenerArn: 'l', priority, conditions, actions: fixed(body)})
  const rules = [
    rule(30, 'broad', [{Field: 'path-pattern', Values: ['/*']}]),
    rule(2, 'narrow', [{Field: 'path-pattern', Values: ['/a/*']}, {Field: 'http-request-method', HttpRequestMethodConfig: {Values: ['GET']}}]),
    rule(7, 'unknown-field', [{Field: 'bogus', Values: ['*']}]),
    rule(9, 'no-field', [{Values: ['*']}]),
  ]
  const body = (r: IncomingMessage) => selectActions(rules, fixed('default'), r)[0]!.FixedResponseConfig!.MessageBody
  it('takes the lowest priority whose conditions all match', () => {
    expect(body(req({url: '/a/b', method: 'GET'}))).toBe('narrow')
    expect(body(req({url: '/a/b', method: 'POST'}))).toBe('broad')
    expect(body(req())).toBe('broad')
  })
  it('answers the default actions when nothing matches; unknown fields match nothing', () => {
    expect(selectActions(rules.slice(1), fixed('default'), req({url: '/z'}))[0]!.FixedResponseConfig!.MessageBody).toBe('default')
    expect(selectActions([], fixed('default'), req())[0]!.FixedResponseConfig!.MessageBody).toBe('default')
  })
  it('leaves the caller’s rule list in its order', () => {
    const copy = [...rules]
    body(req({url: '/a/b', method: 'GET'}))
    expect(rules).toEqual(copy)
  })
})
