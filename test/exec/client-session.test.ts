// The client side of an open session against a scripted agent (scripted-agent.ts): which frames it
// reads, how input, sizes, flags and closes travel, how a session ends, and the socket's upkeep.
import {EventEmitter} from 'node:events'
import type WebSocket from 'ws'
import {afterEach, describe, expect, it, vi} from 'vitest'

import {ClientSession} from '../../src/exec/client.js'
import {encodeMessage, encodeUint32} from '../../src/exec/codec.js'
import {ActionStatus, MessageType, PayloadFlag, PayloadType} from '../../src/exec/protocol.js'
import {closeAll, onClose, scripted, SESSION_TYPE, STREAM_URL, tick, until} from './scripted-agent.js'

afterEach(() => {
  vi.useRealTimers()
  closeAll()
})

describe('client frames from the socket', () => {
  const request = () =>
    encodeMessage({
      messageType: 'output_stream_data',
      schemaVersion: 1,
      createdDate: 0,
      sequenceNumber: 0,
      flags: 1,
      messageId: '00000000-0000-0000-0000-000000000001',
      payloadType: PayloadType.HandshakeRequest,
      payload: Buffer.from(JSON.stringify({AgentVersion: '3', RequestedClientActions: [SESSION_TYPE]})),
    })

  it('ignores text frames: only binary frames carry the data channel', async () => {
    const s = scripted()
    s.clientSock.emit('message', request(), false)
    for (let i = 0; i < 10; i++) await tick()
    expect(s.session.stats.received).toBe(0)
    expect(s.frames).toEqual([])
  })

  it('reads a frame given as an ArrayBuffer or as fragments', async () => {
    const f = request()
    const a = scripted()
    a.clientSock.emit('message', f.buffer.slice(f.byteOffset, f.byteOffset + f.length), true)
    expect((await a.response()).ProcessedClientActions).toEqual([{ActionType: 'SessionType', ActionStatus: ActionStatus.Success}])
    const b = scripted()
    b.clientSock.emit('message', [f.subarray(0, 50), f.subarray(50)], true)
    expect((await b.response()).ProcessedClientActions).toEqual([{ActionType: 'SessionType', ActionStatus: ActionStatus.Success}])
  })
})

describe('client input and session end', () => {
  const inputs = (s: ReturnType<typeof scripted>) => s.ofType(PayloadType.Output).map((m) => m.payload.toString())

  it('sends a lone LF as CR in an interactive session, and nothing else changed', async () => {
    const s = scripted({interactive: true})
    await s.open()
    for (const k of ['\n', '\nx', 'a', '\r']) s.session.sendInput(Buffer.from(k))
    await until('four inputs', () => inputs(s).length === 4)
    expect(inputs(s)).toEqual(['\r', '\nx', 'a', '\r'])
    const p = scripted()
    await p.open()
    p.session.sendInput(Buffer.from('\n'))
    await until('one input', () => inputs(p).length === 1)
    expect(inputs(p)).toEqual(['\n'])
  })

  it('sends input in 1024-byte messages, and empty input as one empty message', async () => {
    const s = scripted()
    await s.open()
    s.session.sendInput(Buffer.alloc(2048, 0x61))
    s.session.sendInput(Buffer.alloc(0))
    s.session.sendInput(Buffer.alloc(1025, 0x62))
    await until('five inputs', () => inputs(s).length === 5)
    for (let i = 0; i < 5; i++) await tick()
    expect(s.ofType(PayloadType.Output).map((m) => m.payload.length)).toEqual([1024, 1024, 0, 1024, 1])
  })

  it('sends only real terminal sizes', async () => {
    const s = scripted()
    await s.open()
    s.session.resize(0, 24)
    s.session.resize(80, 0)
    s.session.resize(1, 1)
    s.session.sendInput(Buffer.from('end'))
    await until('the input after the sizes', () => inputs(s).length === 1)
    expect(s.ofType(PayloadType.Size).map((m) => JSON.parse(m.payload.toString()))).toEqual([{cols: 1, rows: 1}])
  })

  it('ends as terminated on the agent terminate flag, and ignores other flags', async () => {
    const a = scripted()
    await a.open()
    a.agent.sendStream(PayloadType.Flag, encodeUint32(PayloadFlag.DisconnectToPort))
    a.agent.sendStream(PayloadType.ExitCode, encodeUint32(0))
    expect(await a.session.done).toEqual({reason: 'exit', exitCode: 0})
    const b = scripted()
    await b.open()
    b.agent.sendStream(PayloadType.Flag, encodeUint32(PayloadFlag.TerminateSession))
    expect(await b.session.done).toEqual({reason: 'terminated'})
  })

  it('ignores control messages other than channel_closed, and ends as closed with the agent words on it', async () => {
    const a = scripted()
    await a.open()
    a.agent.sendControl(MessageType.PausePublication, Buffer.from('{}'))
    a.agent.sendStream(PayloadType.ExitCode, encodeUint32(3))
    expect(await a.session.done).toEqual({reason: 'exit', exitCode: 3})
    const b = scripted()
    await b.open()
    b.closed('the command was stopped')
    expect(await b.session.done).toEqual({reason: 'closed', message: 'the command was stopped'})
    const c = scripted()
    await c.open()
    c.closed('')
    expect(await c.session.done).toEqual({reason: 'closed'})
  })

  it('ends as closed when closed, and as disconnected when the socket closes once open', async () => {
    const a = scripted()
    await a.open()
    a.session.close()
    expect(await a.session.done).toEqual({reason: 'closed'})
    const b = scripted()
    await b.open()
    b.agentSock.close(1000)
    expect(await b.session.done).toEqual({reason: 'disconnected'})
  })

  it('terminate sends the terminate flag and ends as terminated once it is acknowledged', async () => {
    const s = scripted()
    await s.open()
    await s.session.terminate()
    expect(await s.session.done).toEqual({reason: 'terminated'})
    expect(s.ofType(PayloadType.Flag).map((m) => m.payload.readUInt32BE(0))).toEqual([PayloadFlag.TerminateSession])
  })

  it('terminate gives up waiting for the acknowledgement after 1 s', async () => {
    const s = scripted()
    await s.open()
    s.wire.deaf = true
    vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']})
    let back = false
    void s.session.terminate().then(() => (back = true))
    await vi.advanceTimersByTimeAsync(999)
    expect(back).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(back).toBe(true)
    expect(await s.session.done).toEqual({reason: 'terminated'})
  })

  it('terminate of an ended session returns at once', async () => {
    const s = scripted()
    await s.open()
    s.wire.deaf = true
    s.session.sendInput(Buffer.from('never acknowledged'))
    s.session.close()
    let back = false
    void s.session.terminate().then(() => (back = true))
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(back).toBe(true)
    expect(await s.session.done).toEqual({reason: 'closed'})
  })

  it('ends as disconnected when the channel gives up on an unacknowledged message', async () => {
    const s = scripted()
    await s.open()
    s.wire.deaf = true
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval', 'performance']})
    s.session.sendInput(Buffer.from('lost'))
    vi.advanceTimersByTime(400_000)
    expect(await s.session.done).toEqual({reason: 'disconnected', message: 'data channel: message 1 was not acknowledged after 300 resends'})
  })
})

describe('client socket upkeep', () => {
  class FakeSocket extends EventEmitter {
    readyState = 1
    pings = 0
    closes: number[] = []
    send() {}
    ping() {
      this.pings++
    }
    close(code: number) {
      this.closes.push(code)
    }
  }
  const session = (ws: FakeSocket, streamUrl = STREAM_URL) => {
    const s = new ClientSession(ws as unknown as WebSocket, {streamUrl, tokenValue: 't'})
    onClose(() => s.close())
    return s
  }

  it('pings an open socket every 5 minutes, and stops once the session ends', () => {
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']})
    const ws = new FakeSocket()
    const s = session(ws)
    vi.advanceTimersByTime(5 * 60_000 - 1)
    expect(ws.pings).toBe(0)
    vi.advanceTimersByTime(1)
    expect(ws.pings).toBe(1)
    vi.advanceTimersByTime(5 * 60_000)
    expect(ws.pings).toBe(2)
    s.close()
    vi.advanceTimersByTime(15 * 60_000)
    expect(ws.pings).toBe(2)
  })

  it('does not ping a socket that is not open', () => {
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']})
    const ws = new FakeSocket()
    ws.readyState = 0
    session(ws)
    vi.advanceTimersByTime(15 * 60_000)
    expect(ws.pings).toBe(0)
  })

  it('closes a socket still connecting when the session ends, and leaves a closed one alone', () => {
    const connecting = new FakeSocket()
    connecting.readyState = 0
    session(connecting).close()
    expect(connecting.closes).toEqual([1000])
    const gone = new FakeSocket()
    gone.readyState = 3
    session(gone).close()
    expect(gone.closes).toEqual([])
  })

  it('has no customer message before the agent sends one', () => {
    expect(session(new FakeSocket()).customerMessage).toBe('')
  })

  it('takes the session id from the last part of the stream URL, and none from a URL it cannot read', () => {
    expect(session(new FakeSocket(), 'wss://ssmmessages.example/v1/data-channel/ecs-execute-%3Aabc?role=publish_subscribe').sessionId).toBe('ecs-execute-:abc')
    expect(session(new FakeSocket(), 'not a url').sessionId).toBe('')
  })
})
