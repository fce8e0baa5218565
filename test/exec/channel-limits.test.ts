// The data channel at its edges: after close, its window in messages, its round-trip estimate over
// several samples, its resend round limit, its timers, its counters, and frames it must ignore.
import {describe, expect, it, vi} from 'vitest'

import {DataChannel} from '../../src/exec/channel.js'
import {type ClientMessage, decodeMessage, encodeMessage} from '../../src/exec/codec.js'
import {useFakeClock} from './helpers.js'

const {now, advance} = useFakeClock()

function frame(messageType: string, seq: number, payload: Buffer, payloadType = 1): Buffer {
  return encodeMessage({
    messageType,
    schemaVersion: 1,
    createdDate: 0,
    sequenceNumber: seq,
    flags: 0,
    messageId: `00000000-0000-0000-0000-${String(seq).padStart(12, '0')}`,
    payloadType,
    payload,
  })
}
const streamFrame = (seq: number, text: string) => frame('output_stream_data', seq, Buffer.from(text))
function ackFor(f: Buffer): Buffer {
  const m = decodeMessage(f)
  const content = {AcknowledgedMessageType: m.messageType, AcknowledgedMessageId: m.messageId, AcknowledgedMessageSequenceNumber: m.sequenceNumber, IsSequentialMessage: true}
  return frame('acknowledge', 0, Buffer.from(JSON.stringify(content)), 0)
}

function channel(extra: Partial<ConstructorParameters<typeof DataChannel>[0]> = {}) {
  const sent: Buffer[] = []
  const delivered: ClientMessage[] = []
  const ch = new DataChannel({side: 'client', send: (f) => sent.push(f), onData: (m) => delivered.push(m), now, ...extra})
  return {ch, sent, delivered}
}

const settled = async (p: Promise<unknown>) => {
  let done = false
  void p.then(() => (done = true))
  for (let i = 0; i < 5; i++) await Promise.resolve()
  return done
}

describe('DataChannel edges', () => {
  it('after close: sends nothing, takes nothing, and says so with -1', () => {
    const {ch, sent, delivered} = channel()
    ch.close()
    expect(ch.sendStream(1, Buffer.from('late'))).toBe(-1)
    ch.sendControl('channel_closed', Buffer.from('{}'))
    ch.receive(streamFrame(0, 'in'))
    expect(sent).toEqual([])
    expect(delivered).toEqual([])
    expect(ch.pending).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('the agent side writes output_stream_data, acknowledges with IsSequentialMessage, and counts what it delivers', () => {
    const {ch, sent} = channel({side: 'agent'})
    ch.sendStream(1, Buffer.from('out'))
    for (let seq = 0; seq < 3; seq++) ch.receive(frame('input_stream_data', seq, Buffer.from(`in${seq}`)))
    const [data, ...acks] = sent.map(decodeMessage)
    expect(data!.messageType).toBe('output_stream_data')
    expect(acks.map((a) => JSON.parse(a.payload.toString()).IsSequentialMessage)).toEqual([true, true, true])
    expect(ch.stats.received).toBe(3)
    expect(ch.stats.sent).toBe(1)
    ch.close()
  })

  it('keeps at most `window` messages in flight, and counts what waits as pending', () => {
    const {ch, sent} = channel({window: 2})
    for (let i = 0; i < 4; i++) ch.sendStream(1, Buffer.from(`m${i}`))
    expect(sent).toHaveLength(2)
    expect(ch.pending).toBe(4)
    expect(ch.stats.sent).toBe(2)
    ch.receive(ackFor(sent[0]!))
    expect(sent).toHaveLength(3)
    expect(ch.pending).toBe(3)
    ch.close()
  })

  it('drained() waits for every message in flight to be acknowledged', async () => {
    const {ch, sent} = channel()
    expect(await settled(ch.drained())).toBe(true)
    ch.sendStream(1, Buffer.from('a'))
    ch.sendStream(1, Buffer.from('b'))
    const drained = ch.drained()
    expect(await settled(drained)).toBe(false)
    ch.receive(ackFor(sent[0]!))
    expect(await settled(drained)).toBe(false)
    ch.receive(ackFor(sent[1]!))
    expect(await settled(drained)).toBe(true)
    ch.close()
  })

  it('smooths the round-trip estimate over samples (RFC 6298)', () => {
    const {ch, sent} = channel()
    ch.sendStream(1, Buffer.from('a'))
    advance(100)
    ch.receive(ackFor(sent[0]!))
    ch.sendStream(1, Buffer.from('b'))
    advance(200)
    ch.receive(ackFor(sent[1]!))
    // RTTVAR = 0.75*50 + 0.25*|100-200| = 62.5; SRTT = 0.875*100 + 0.125*200 = 112.5; RTO = SRTT + 4*RTTVAR.
    expect(ch.stats.srttMs).toBe(112.5)
    expect(ch.stats.rtoMs).toBe(362.5)
    ch.close()
  })

  it('measures round trips with the performance clock when none is given', () => {
    vi.useRealTimers()
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval', 'performance']})
    const sent: Buffer[] = []
    const ch = new DataChannel({side: 'client', send: (f) => sent.push(f), onData: () => {}})
    ch.sendStream(1, Buffer.from('a'))
    vi.advanceTimersByTime(100)
    ch.receive(ackFor(sent[0]!))
    expect(ch.stats.srttMs).toBe(100)
    expect(ch.stats.rtoMs).toBe(300)
    ch.close()
  })

  it('resends a message once its timeout has passed, to the millisecond', () => {
    const {ch, sent} = channel()
    ch.sendStream(1, Buffer.from('a'))
    advance(199)
    expect(sent).toHaveLength(1)
    advance(1)
    expect(sent).toHaveLength(2)
    ch.close()
  })

  it('resends at most 256 messages per round of expiries', () => {
    const {ch, sent} = channel({window: 1000})
    for (let i = 0; i < 300; i++) ch.sendStream(1, Buffer.from(`m${i}`))
    expect(sent).toHaveLength(300)
    advance(200)
    expect(ch.stats.resent).toBe(256)
    ch.close()
  })

  it('keeps one resend timer, and none once everything is acknowledged or the channel is closed', () => {
    const {ch, sent} = channel()
    ch.sendStream(1, Buffer.from('a'))
    ch.sendStream(1, Buffer.from('b'))
    expect(vi.getTimerCount()).toBe(1)
    ch.receive(ackFor(sent[0]!))
    ch.receive(ackFor(sent[1]!))
    expect(vi.getTimerCount()).toBe(0)
    ch.sendStream(1, Buffer.from('c'))
    ch.sendStream(1, Buffer.from('d'))
    ch.close()
    expect(vi.getTimerCount()).toBe(0)
    advance(5000)
    expect(sent).toHaveLength(4)
  })

  it('gives up quietly when nobody listens for fatal errors', () => {
    const {ch, sent} = channel({maxAttempts: 1})
    ch.sendStream(1, Buffer.from('lost'))
    expect(() => {
      for (let i = 0; i < 100; i++) advance(10)
    }).not.toThrow()
    expect(sent).toHaveLength(2)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('ignores control messages when nobody listens for them, and acknowledgements it cannot read', () => {
    const {ch, sent} = channel()
    expect(() => ch.receive(frame('channel_closed', 0, Buffer.from('{}'), 0))).not.toThrow()
    ch.sendStream(1, Buffer.from('a'))
    ch.receive(frame('acknowledge', 0, Buffer.from('not json'), 0))
    expect(ch.pending).toBe(1)
    ch.receive(ackFor(sent[0]!))
    expect(ch.pending).toBe(0)
  })

  it('drops corrupt frames but lets a caller error through', () => {
    const {ch} = channel()
    expect(() => ch.receive(Buffer.alloc(10))).not.toThrow()
    expect(() => ch.receive(new Uint8Array(200) as unknown as Buffer)).toThrow(TypeError)
  })
})
