import {describe, expect, it, vi} from 'vitest'

import {DataChannel} from '../../src/exec/channel.js'
import {type ClientMessage, decodeMessage, encodeMessage} from '../../src/exec/codec.js'
import {useFakeClock} from './helpers.js'

const {now, advance} = useFakeClock()

function streamFrame(seq: number, text: string): Buffer {
  return encodeMessage({
    messageType: 'output_stream_data',
    schemaVersion: 1,
    createdDate: 0,
    sequenceNumber: seq,
    flags: 0,
    messageId: `00000000-0000-0000-0000-${String(seq).padStart(12, '0')}`,
    payloadType: 1,
    payload: Buffer.from(text),
  })
}

function ackFor(frame: Buffer): Buffer {
  const m = decodeMessage(frame)
  return encodeMessage({
    messageType: 'acknowledge',
    schemaVersion: 1,
    createdDate: 0,
    sequenceNumber: 0,
    flags: 3,
    messageId: '11111111-0000-0000-0000-000000000000',
    payloadType: 0,
    payload: Buffer.from(JSON.stringify({AcknowledgedMessageType: m.messageType, AcknowledgedMessageId: m.messageId, AcknowledgedMessageSequenceNumber: m.sequenceNumber, IsSequentialMessage: true})),
  })
}

function channel(extra: Partial<ConstructorParameters<typeof DataChannel>[0]> = {}) {
  const sent: Buffer[] = []
  const delivered: ClientMessage[] = []
  const ch = new DataChannel({side: 'client', send: (f) => sent.push(f), onData: (m) => delivered.push(m), now, ...extra})
  return {ch, sent, delivered}
}

describe('DataChannel', () => {
  it('delivers in sequence once, buffering early messages and acknowledging every copy', () => {
    const {ch, sent, delivered} = channel()
    for (const seq of [1, 0, 0, 3, 2, 1]) ch.receive(streamFrame(seq, `m${seq}`))
    expect(delivered.map((m) => m.payload.toString())).toEqual(['m0', 'm1', 'm2', 'm3'])
    const acks = sent.map(decodeMessage).map((m) => JSON.parse(m.payload.toString()).AcknowledgedMessageSequenceNumber)
    expect(acks).toEqual([1, 0, 0, 3, 2, 1])
    expect(ch.stats.duplicates).toBe(2)
  })

  it('drops corrupted frames without acknowledging them', () => {
    const {ch, sent, delivered} = channel()
    const frame = streamFrame(0, 'hello')
    frame[frame.length - 1]! ^= 0xff
    ch.receive(frame)
    expect(sent).toEqual([])
    expect(delivered).toEqual([])
  })

  it('numbers outgoing messages, marks the first SYN, and resends what stays unacknowledged', () => {
    const {ch, sent} = channel()
    ch.sendStream(1, Buffer.from('a'))
    ch.sendStream(1, Buffer.from('b'), {fin: true})
    expect(sent.map(decodeMessage).map((m) => [m.messageType, m.sequenceNumber, m.flags])).toEqual([
      ['input_stream_data', 0, 1],
      ['input_stream_data', 1, 2],
    ])
    advance(190)
    expect(sent).toHaveLength(2) // the initial timeout is 200 ms
    advance(20)
    expect(sent.slice(2).map((f) => decodeMessage(f).sequenceNumber)).toEqual([0, 1])
    ch.receive(ackFor(sent[0]!))
    ch.receive(ackFor(sent[1]!))
    advance(2000)
    expect(sent).toHaveLength(4)
    ch.close()
  })

  it('adapts the timeout to measured round trips, backs off on expiry, and ignores resent samples', () => {
    const {ch, sent} = channel()
    ch.sendStream(1, Buffer.from('a'))
    advance(100)
    ch.receive(ackFor(sent[0]!))
    // First sample R=100: SRTT 100, RTTVAR 50, RTO = 100 + 4*50.
    expect(ch.stats.rtoMs).toBe(300)
    ch.sendStream(1, Buffer.from('b'))
    advance(290)
    expect(sent).toHaveLength(2)
    advance(20)
    expect(sent).toHaveLength(3)
    expect(ch.stats.rtoMs).toBe(600)
    advance(5)
    ch.receive(ackFor(sent[1]!))
    // Karn's rule: the acknowledgement of a resent message says nothing about the round trip.
    expect(ch.stats.srttMs).toBe(100)
    expect(ch.pending).toBe(0)
  })

  it('keeps at most the window in flight and sends the rest as acknowledgements arrive', async () => {
    const {ch, sent} = channel({windowBytes: 2500})
    for (let i = 0; i < 5; i++) ch.sendStream(1, Buffer.alloc(1000))
    expect(sent).toHaveLength(3)
    ch.receive(ackFor(sent[0]!))
    expect(sent).toHaveLength(4)
    const drained = ch.drained()
    for (const f of sent.slice(1)) ch.receive(ackFor(f))
    ch.receive(ackFor(sent[4]!))
    await drained
    expect(ch.pending).toBe(0)
  })

  it('gives up on a message that is never acknowledged', () => {
    const onFatal = vi.fn()
    const {ch} = channel({maxAttempts: 3, onFatal})
    ch.sendStream(1, Buffer.from('lost'))
    for (let i = 0; i < 10; i++) advance(1000)
    expect(onFatal).toHaveBeenCalledOnce()
    expect(onFatal.mock.calls[0]![0].message).toMatch(/message 0 was not acknowledged after 3 resends/)
  })
})
