// Wildcards where user patterns meet user strings (ALB rules, Logs JSON filter patterns, EC2
// filters) match in time bounded by the string's length: the regular expressions they replaced
// backtracked for seconds on a path of slashes.
import type {IncomingMessage} from 'node:http'
import {describe, expect, it} from 'vitest'

import {globMatches} from '../../src/local/ec2/params.js'
import {selectActions} from '../../src/local/elb/rules.js'
import type {RuleRecord} from '../../src/local/elb/model.js'
import {compileFilterPattern} from '../../src/local/logs/filter-pattern.js'
import {wildcardMatch} from '../../src/local/wildcard.js'

/** The obvious (backtracking) definition, as a reference on small inputs. */
function reference(pattern: string, value: string, question = true): boolean {
  const body = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' && question ? '.' : c.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))).join('')
  return new RegExp(`^${body}$`, 's').test(value)
}

function timed(fn: () => unknown): number {
  const t = performance.now()
  fn()
  return performance.now() - t
}

describe('wildcard matching', () => {
  it('agrees with the regular-expression definition on 20,000 random patterns and strings', () => {
    let seed = 7
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n)
    const pick = (alphabet: string, max: number) => Array.from({length: rand(max)}, () => alphabet[rand(alphabet.length)]).join('')
    for (let i = 0; i < 20_000; i++) {
      const pattern = pick('ab*?/', 8)
      const value = pick('ab/', 10)
      const question = i % 2 === 0
      expect(wildcardMatch(pattern, value, {question}), `${pattern} ~ ${value}`).toBe(reference(pattern, value, question))
    }
    expect(wildcardMatch('/API/*', '/api/x', {caseInsensitive: true})).toBe(true)
    expect(wildcardMatch('a?c', 'a?c', {question: false})).toBe(true)
    expect(wildcardMatch('a?c', 'abc', {question: false})).toBe(false)
  })

  it('stays fast on strings built to make a backtracking matcher explode', () => {
    const slashes = '/static/' + '/'.repeat(2400) + 'x'
    expect(timed(() => expect(wildcardMatch('/static/*/*/*.js', slashes)).toBe(false))).toBeLessThan(50)
    const many = '*a'.repeat(30) + '*b'
    expect(timed(() => expect(wildcardMatch(many, 'a'.repeat(100_000))).toBe(false))).toBeLessThan(200)
    expect(timed(() => expect(globMatches('*-*-*-*-*-*-*-*x', '-'.repeat(50_000))).toBe(false))).toBeLessThan(200)
  })

  it('keeps an ALB listener from stalling on a hostile path (rule /static/*/*/*.js)', () => {
    const rules: RuleRecord[] = [{arn: 'r', listenerArn: 'l', priority: 1, conditions: [{Field: 'path-pattern', Values: ['/static/*/*/*/*/*.js']}],
      actions: [{Type: 'fixed-response'}]}]
    const req = {url: '/static/' + '/'.repeat(2400) + 'x', headers: {}, method: 'GET', socket: {remoteAddress: '127.0.0.1'}} as unknown as IncomingMessage
    const defaults = [{Type: 'forward'}]
    expect(timed(() => expect(selectActions(rules, defaults, req)).toBe(defaults))).toBeLessThan(50)
  })

  it('keeps a Logs JSON filter pattern with wildcards linear, and reads only a document\'s own fields', () => {
    const match = compileFilterPattern('{ $.path = "*/*/*/*/*/*/*.js" }')
    const event = JSON.stringify({path: '/'.repeat(20_000) + 'x'})
    expect(timed(() => expect(match(event)).toBe(false))).toBeLessThan(50)
    expect(compileFilterPattern('{ $.constructor EXISTS }')('{"a": 1}')).toBe(false)
    expect(compileFilterPattern('{ $.__proto__ EXISTS }')('{"a": 1}')).toBe(false)
    expect(compileFilterPattern('{ $.constructor = "x" }')('{"constructor": "x"}')).toBe(true)
    expect(() => compileFilterPattern('{ ' + '('.repeat(5000) + ' }')).toThrow(/filterPattern|Invalid filter pattern/)
  })
})
