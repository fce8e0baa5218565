// Rule evaluation as an Application Load Balancer does it: rules in priority order, the first whose
// conditions all match wins, else the listener's default actions.

import type {IncomingMessage} from 'node:http'
import {wildcardMatch as matchWildcard} from '../wildcard.js'
import type {Action, Condition, RuleRecord} from './model.js'

/** ALB wildcard match: `*` any characters, `?` one character; case-sensitive for paths. Linear in
 * the request's length (see ../wildcard.ts): the request and the rule are both untrusted. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  return matchWildcard(pattern, value, {caseInsensitive})
}

function values(c: Condition, config: {Values?: string[]} | undefined): string[] {
  return config?.Values ?? c.Values ?? []
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/')
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0
  if (!base || !/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !/^\d+\.\d+\.\d+\.\d+$/.test(base)) return false
  const bits = Number(bitsText ?? 32)
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
  return (toInt(ip) & mask) === (toInt(base) & mask)
}

export function conditionMatches(c: Condition, req: IncomingMessage, path: string, query: URLSearchParams): boolean {
  const field = c.Field ?? (c.PathPatternConfig ? 'path-pattern' : c.HostHeaderConfig ? 'host-header' : '')
  switch (field) {
    case 'path-pattern':
      return values(c, c.PathPatternConfig).some((p) => wildcardMatch(p, path))
    case 'host-header': {
      // Matched without the port, as ALB does; but a value that names a port matches the host with it: only
      // this control plane's load balancer DNS names do (`127.0.0.1:<port>`, AWS refuses ':' in a host
      // condition), and a rule that requires one (a Backend Service's, Copilot's) must match its callers.
      const withPort = req.headers.host ?? ''
      const host = withPort.replace(/:\d+$/, '')
      return values(c, c.HostHeaderConfig).some((p) => wildcardMatch(p, /:\d+$/.test(p) ? withPort : host, true))
    }
    case 'http-header': {
      const name = c.HttpHeaderConfig?.HttpHeaderName?.toLowerCase() ?? ''
      const header = req.headers[name]
      const got = Array.isArray(header) ? header : header === undefined ? [] : [header]
      return (c.HttpHeaderConfig?.Values ?? []).some((p) => got.some((v) => wildcardMatch(p, v, true)))
    }
    case 'http-request-method':
      return (c.HttpRequestMethodConfig?.Values ?? []).includes(req.method ?? 'GET')
    case 'query-string':
      return (c.QueryStringConfig?.Values ?? []).some((kv) =>
        kv.Key === undefined
          ? [...query.values()].some((v) => wildcardMatch(kv.Value, v, true))
          : query.getAll(kv.Key).some((v) => wildcardMatch(kv.Value, v, true)),
      )
    case 'source-ip': {
      const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
      return (c.SourceIpConfig?.Values ?? []).some((cidr) => ipInCidr(ip, cidr))
    }
    default:
      return false
  }
}

/** The actions for a request: the first matching rule by priority, else the default actions. */
export function selectActions(rules: RuleRecord[], defaults: Action[], req: IncomingMessage): Action[] {
  const url = new URL(req.url ?? '/', 'http://local')
  for (const rule of [...rules].sort((a, b) => a.priority - b.priority)) {
    if (rule.conditions.every((c) => conditionMatches(c, req, url.pathname, url.searchParams))) return rule.actions
  }
  return defaults
}
