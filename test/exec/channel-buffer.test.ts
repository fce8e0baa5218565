// The data channel's reorder buffer has a limit (maxBuffered). A message that arrives early while the
// buffer is full must be dropped without an acknowledgement, so that its sender resends it: acknowledging
// it and then dropping it would lose it for good.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {DataChannel} from '../../src/exec/channel.js'
import {type ClientMessage, decodeMessage, encodeMessage} from '../../src/exec/codec.js'

let clock = 0
beforeEach(() => {
  vi.useFakeTimers()
  clock = 0
})
afterEach(() => vi.useRealTimers())

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

const acked = (frames: Buffer[]) => frames.map(decodeMessage).map((m) => JSON.parse(m.payload.toString()).AcknowledgedMessageSequenceNumber as number)
const texts = (ms: ClientMessage[]) => ms.map((m) => m.payload.toString())

describe('DataChannel reorder buffer limit', () => {
  it('neither acknowledges nor keeps an early message when the buffer is full, and takes it when resent', () => {
    const sent: Buffer[] = []
    const delivered: ClientMessage[] = []
    const ch = new DataChannel({side: 'client', send: (f) => sent.push(f), onData: (m) => delivered.push(m), now: () => clock, maxBuffered: 2})
    for (const seq of [1, 2, 3]) ch.receive(streamFrame(seq, `m${seq}`))
    expect(acked(sent)).toEqual([1, 2])
    expect(delivered).toEqual([])
    // A duplicate of a buffered message is still acknowledged (its first acknowledgement may be lost).
    ch.receive(streamFrame(2, 'm2'))
    expect(acked(sent)).toEqual([1, 2, 2])
    ch.receive(streamFrame(0, 'm0'))
    expect(texts(delivered)).toEqual(['m0', 'm1', 'm2'])
    ch.receive(streamFrame(3, 'm3'))
    expect(texts(delivered)).toEqual(['m0', 'm1', 'm2', 'm3'])
    expect(acked(sent)).toEqual([1, 2, 2, 0, 3])
  })

  it('loses nothing between two channels when the first message is lost and the buffer overflows', async () => {
    let dropFirst = true
    const delivered: ClientMessage[] = []
    let receiver: DataChannel
    const sender = new DataChannel({
      side: 'agent',
      now: () => clock,
      onData: () => {},
      send: (f) => {
        if (dropFirst && decodeMessage(f).sequenceNumber === 0) {
          dropFirst = false
          return
        }
        receiver.receive(f)
      },
      initialRtoMs: 100,
    })
    receiver = new DataChannel({side: 'client', now: () => clock, send: (f) => sender.receive(f), onData: (m) => delivered.push(m), maxBuffered: 2})
    for (let i = 0; i < 6; i++) sender.sendStream(1, Buffer.from(`m${i}`))
    for (let t = 0; t < 100 && sender.pending > 0; t++) {
      clock += 50
      vi.advanceTimersByTime(50)
    }
    await sender.drained()
    expect(texts(delivered)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5'])
    expect(sender.stats.resent).toBeGreaterThan(0)
    sender.close()
    receiver.close()
  })
})
