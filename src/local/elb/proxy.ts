// The data plane: one HTTP server on a loopback port per listener, routing each request by the
// listener's rules to a healthy target of the chosen target group, as an Application Load Balancer does.

import http, {type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {Action, ListenerRecord, RuleRecord, TargetGroupRecord, TargetRecord} from './model.js'
import {selectActions} from './rules.js'

export interface ProxyLookup {
  listener(arn: string): ListenerRecord | undefined
  rules(listenerArn: string): RuleRecord[]
  targetGroup(arn: string): TargetGroupRecord | undefined
  idleTimeoutMs(listener: ListenerRecord): number
}

const cursor = new Map<string, number>()

/** Healthy targets; when none is healthy an ALB fails open to every target not draining. */
export function routableTargets(group: TargetGroupRecord): TargetRecord[] {
  const healthy = group.targets.filter((t) => t.state === 'healthy')
  if (healthy.length > 0) return healthy
  return group.targets.filter((t) => t.state !== 'draining')
}

function pickTarget(group: TargetGroupRecord): TargetRecord | undefined {
  const targets = routableTargets(group)
  if (targets.length === 0) return undefined
  const n = (cursor.get(group.arn) ?? 0) % targets.length
  cursor.set(group.arn, n + 1)
  return targets[n]
}

function pickGroupArn(action: Action): string | undefined {
  if (action.TargetGroupArn) return action.TargetGroupArn
  const groups = action.ForwardConfig?.TargetGroups ?? []
  const total = groups.reduce((s, g) => s + Number(g.Weight ?? 1), 0)
  let r = Math.random() * total
  for (const g of groups) {
    r -= Number(g.Weight ?? 1)
    if (r < 0) return g.TargetGroupArn
  }
  return groups[0]?.TargetGroupArn
}

function errorPage(res: ServerResponse, status: number, title: string): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n</body>\r\n</html>\r\n`
  res.writeHead(status, {'content-type': 'text/html', 'content-length': Buffer.byteLength(body), server: 'awselb/2.0'})
  res.end(body)
}

function redirect(req: IncomingMessage, res: ServerResponse, listener: ListenerRecord, cfg: NonNullable<Action['RedirectConfig']>): void {
  const url = new URL(req.url ?? '/', 'http://local')
  const hostHeader = (req.headers.host ?? '127.0.0.1').replace(/:\d+$/, '')
  const vars: Record<string, string> = {
    protocol: listener.protocol.toLowerCase(),
    host: hostHeader,
    port: String(listener.port),
    path: url.pathname.replace(/^\//, ''),
    query: url.search.replace(/^\?/, ''),
  }
  const sub = (v: string | undefined, dflt: string) => (v ?? dflt).replace(/#\{(\w+)\}/g, (_, k: string) => vars[k] ?? '')
  const protocol = sub(cfg.Protocol, '#{protocol}').toLowerCase()
  const port = sub(cfg.Port, '#{port}')
  const path = sub(cfg.Path, '/#{path}')
  const query = sub(cfg.Query, '#{query}')
  const defaultPort = (protocol === 'https' && port === '443') || (protocol === 'http' && port === '80')
  const location = `${protocol}://${sub(cfg.Host, '#{host}')}${defaultPort ? '' : `:${port}`}${path}${query ? `?${query}` : ''}`
  res.writeHead(cfg.StatusCode === 'HTTP_301' ? 301 : 302, {location, 'content-length': 0, server: 'awselb/2.0'})
  res.end()
}

function forward(req: IncomingMessage, res: ServerResponse, listener: ListenerRecord, group: TargetGroupRecord, timeoutMs: number): void {
  const target = pickTarget(group)
  if (!target) return errorPage(res, 503, 'Service Temporarily Unavailable')
  const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
  const headers = {...req.headers}
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${remote}` : remote
  headers['x-forwarded-proto'] = listener.protocol.toLowerCase()
  headers['x-forwarded-port'] = String(listener.port)
  headers['x-amzn-trace-id'] ??= `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${Math.random().toString(16).slice(2, 14).padEnd(24, '0')}`
  const upstream = http.request({host: target.id, port: target.port, method: req.method, path: req.url, headers, timeout: timeoutMs}, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers)
    up.pipe(res)
  })
  upstream.on('timeout', () => {
    upstream.destroy()
    errorPage(res, 504, 'Gateway Time-out')
  })
  upstream.on('error', () => errorPage(res, 502, 'Bad Gateway'))
  req.pipe(upstream)
}

export function handleRequest(lookup: ProxyLookup, listenerArn: string, req: IncomingMessage, res: ServerResponse): void {
  const listener = lookup.listener(listenerArn)
  if (!listener) return errorPage(res, 503, 'Service Temporarily Unavailable')
  const actions = [...selectActions(lookup.rules(listenerArn), listener.defaultActions, req)].sort(
    (a, b) => (a.Order ?? 0) - (b.Order ?? 0),
  )
  const action = actions.find((a) => ['forward', 'redirect', 'fixed-response'].includes(a.Type))
  if (!action) return errorPage(res, 503, 'Service Temporarily Unavailable')
  if (action.Type === 'redirect' && action.RedirectConfig) return redirect(req, res, listener, action.RedirectConfig)
  if (action.Type === 'fixed-response' && action.FixedResponseConfig) {
    const cfg = action.FixedResponseConfig
    const body = cfg.MessageBody ?? ''
    res.writeHead(Number(cfg.StatusCode), {'content-type': cfg.ContentType ?? 'text/plain', 'content-length': Buffer.byteLength(body)})
    res.end(body)
    return
  }
  const groupArn = pickGroupArn(action)
  const group = groupArn ? lookup.targetGroup(groupArn) : undefined
  if (!group) return errorPage(res, 503, 'Service Temporarily Unavailable')
  forward(req, res, listener, group, lookup.idleTimeoutMs(listener))
}

/** Starts the server of one listener on 127.0.0.1 (port 0 picks a free one). */
export function listen(lookup: ProxyLookup, listenerArn: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => handleRequest(lookup, listenerArn, req, res))
  server.keepAliveTimeout = 5000
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}

export const portOf = (server: http.Server) => (server.address() as AddressInfo).port
