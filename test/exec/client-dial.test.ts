// Opening a session over a real local websocket: what the client offers and says first, the words
// of each way the stream URL can fail it (refusal, HTTP status, no server, silence), and its timeouts.
import {createServer as createHttpServer, type Server} from 'node:http'
import {createServer as createTcpServer, type Server as TcpServer, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'
import WebSocket, {WebSocketServer} from 'ws'
import {afterEach, describe, expect, it, vi} from 'vitest'

import {runAgentSession} from '../../src/exec/agent.js'
import {dialSession} from '../../src/exec/client.js'
import {SessionError, SessionRefusedError} from '../../src/exec/errors.js'
import {PIER_CLIENT_VERSION} from '../../src/exec/protocol.js'
import {FakeProcess} from './helpers.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const c of closers.splice(0).reverse()) await c()
})

const portOf = (s: {address(): unknown}) => (s.address() as AddressInfo).port
const tick = () => new Promise<void>((r) => setImmediate(r))
async function until(what: string, ok: () => boolean): Promise<void> {
  const end = Date.now() + 10_000
  while (!ok()) {
    if (Date.now() > end) throw new Error(`never happened: ${what}`)
    await tick()
  }
}

/** A websocket server that records what each client offers and says first; `answer` decides what follows. */
async function recordingServer(answer: (ws: WebSocket, first: Record<string, unknown>) => void) {
  const wss = new WebSocketServer({port: 0, host: '127.0.0.1', perMessageDeflate: true})
  await new Promise<void>((r) => wss.once('listening', () => r()))
  const seen: {headers: Record<string, string | string[] | undefined>; first?: Record<string, unknown>}[] = []
  wss.on('connection', (ws, req) => {
    const entry: (typeof seen)[number] = {headers: req.headers}
    seen.push(entry)
    ws.once('message', (data) => {
      entry.first = JSON.parse(String(data)) as Record<string, unknown>
      answer(ws, entry.first)
    })
  })
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate()
        wss.close(() => r())
      }),
  )
  return {url: `ws://127.0.0.1:${portOf(wss)}/v1/data-channel/sess-7`, seen}
}

/** An HTTP server that answers every websocket upgrade with `status`. */
async function statusServer(status: number): Promise<string> {
  const server: Server = createHttpServer()
  server.on('upgrade', (_req, socket) => socket.end(`HTTP/1.1 ${status} Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  closers.push(() => new Promise<void>((r) => server.close(() => r())))
  return `ws://127.0.0.1:${portOf(server)}/v1/data-channel/s`
}

describe('dialSession', () => {
  it('offers no compression and opens with the token, fresh ids and its version (or the one given)', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
    const server = await recordingServer((ws) => ws.close(4401, 'token refused'))
    await expect(dialSession({streamUrl: server.url, tokenValue: 'tok-1'})).rejects.toThrow('the session was refused: token refused')
    await expect(dialSession({streamUrl: server.url, tokenValue: 'tok-2', clientVersion: 'custom/3'})).rejects.toBeInstanceOf(SessionRefusedError)
    expect(server.seen).toHaveLength(2)
    const [a, b] = server.seen
    expect(a!.headers['sec-websocket-extensions']).toBeUndefined()
    expect(a!.first).toEqual({MessageSchemaVersion: '1.0', RequestId: expect.stringMatching(uuid), TokenValue: 'tok-1', ClientId: expect.stringMatching(uuid), ClientVersion: PIER_CLIENT_VERSION})
    expect(b!.first).toMatchObject({TokenValue: 'tok-2', ClientVersion: 'custom/3'})
    expect(b!.first!.RequestId).not.toBe(a!.first!.RequestId)
  })

  it('reads HTTP 401 and 403 as a refusal, and names any other status', async () => {
    for (const status of [401, 403]) {
      const e = await dialSession({streamUrl: await statusServer(status), tokenValue: 't'}).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(SessionRefusedError)
      expect((e as Error).message).toBe(`the session was refused: HTTP ${status}`)
    }
    const e = await dialSession({streamUrl: await statusServer(502), tokenValue: 't'}).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(SessionError)
    expect(e).not.toBeInstanceOf(SessionRefusedError)
    expect((e as Error).message).toBe('the stream URL answered HTTP 502')
  })

  it('says it could not connect when nothing listens, with the cause', async () => {
    const server = createTcpServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const port = portOf(server)
    await new Promise<void>((r) => server.close(() => r()))
    const e = await dialSession({streamUrl: `ws://127.0.0.1:${port}/v1/data-channel/s`, tokenValue: 't'}).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(SessionError)
    expect((e as Error).message).toBe(`could not connect to the session's stream URL: connect ECONNREFUSED 127.0.0.1:${port}`)
    expect(((e as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
  })

  it('gives up on a server that never answers the upgrade after the timeout given', async () => {
    const sockets = new Set<Socket>()
    const server: TcpServer = createTcpServer((s) => sockets.add(s.on('error', () => {})))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    closers.push(() => {
      for (const s of sockets) s.destroy()
      return new Promise<void>((r) => server.close(() => r()))
    })
    const started = Date.now()
    const e = await dialSession({streamUrl: `ws://127.0.0.1:${portOf(server)}/v1/data-channel/s`, tokenValue: 't', timeoutMs: 150}).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(SessionError)
    expect((e as Error).message).toBe("could not connect to the session's stream URL: Opening handshake has timed out")
    // The timeout given, not the 15 s default (the margin is for a loaded machine).
    expect(Date.now() - started).toBeLessThan(7500)
  })

  it('gives up when the agent does not complete the handshake in time, and not a moment before', async () => {
    const server = await recordingServer(() => {})
    vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']})
    let outcome: unknown
    void dialSession({streamUrl: server.url, tokenValue: 't', timeoutMs: 2000}).then(
      () => (outcome = 'opened'),
      (e: unknown) => (outcome = e),
    )
    await until('the open message', () => server.seen[0]?.first !== undefined)
    await vi.advanceTimersByTimeAsync(1999)
    expect(outcome).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(outcome).toBeInstanceOf(SessionError)
    expect((outcome as Error).message).toBe('the agent did not complete the handshake within 2000 ms')
  })

  it('leaves no timer behind once the session is open', async () => {
    const proc = new FakeProcess()
    const server = await recordingServer((ws) => void runAgentSession(ws, proc, {sessionId: 'sess-7'}))
    vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']})
    const session = await dialSession({streamUrl: server.url, tokenValue: 't'})
    expect(vi.getTimerCount()).toBe(0)
    session.close()
    expect(await session.done).toEqual({reason: 'closed'})
  })
})
