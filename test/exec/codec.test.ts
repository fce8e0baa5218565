import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {CodecError, decodeExitCode, decodeFlag, decodeMessage, encodeMessage, encodeUint32, uuidFromWire, uuidToWire} from '../../src/exec/codec.js'

// Written field by field from the reference layout, not from the encoder.
const golden = [
  '00000074', // HeaderLength 116
  Buffer.from('input_stream_data'.padEnd(32, ' '), 'ascii').toString('hex'), // MessageType
  '00000001', // SchemaVersion
  '0000018bcfe56800', // CreatedDate 1700000000000
  '0000000000000005', // SequenceNumber 5
  '0000000000000001', // Flags SYN
  '8899aabbccddeeff' + '0011223344556677', // MessageId: low half, then high half
  '8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4', // SHA-256("hi")
  '00000001', // PayloadType output
  '00000002', // PayloadLength
  '6869', // "hi"
].join('')

const goldenMessage = {
  messageType: 'input_stream_data',
  schemaVersion: 1,
  createdDate: 1700000000000,
  sequenceNumber: 5,
  flags: 1,
  messageId: '00112233-4455-6677-8899-aabbccddeeff',
  payloadType: 1,
  payload: Buffer.from('hi'),
}

describe('codec', () => {
  it('encodes the reference layout byte for byte', () => {
    expect(encodeMessage(goldenMessage).toString('hex')).toBe(golden)
  })

  it('decodes the reference layout', () => {
    expect(decodeMessage(Buffer.from(golden, 'hex'))).toEqual(goldenMessage)
  })

  it('decodes an acknowledge with an empty-ish JSON payload and negative sequence numbers', () => {
    const m = {...goldenMessage, messageType: 'acknowledge', sequenceNumber: -1, payloadType: 0, payload: Buffer.from('{}')}
    expect(decodeMessage(encodeMessage(m))).toEqual(m)
  })

  it('writes a UUID as its low 8 bytes then its high 8 bytes', () => {
    const wire = uuidToWire('00112233-4455-6677-8899-aabbccddeeff')
    expect(wire.toString('hex')).toBe('8899aabbccddeeff0011223344556677')
    expect(uuidFromWire(wire)).toBe('00112233-4455-6677-8899-aabbccddeeff')
  })

  it('takes a UUID with or without dashes, and refuses anything else, naming it', () => {
    expect(uuidToWire('00112233445566778899aabbccddeeff').toString('hex')).toBe('8899aabbccddeeff0011223344556677')
    for (const bad of ['not-a-uuid', '00112233-4455-6677-8899-aabbccddeeXX', '00112233445566778899aabbccddeeff0', '00112233445566778899aabbccddee', '00112233445566778899aabbccddeeff00']) {
      expect(() => uuidToWire(bad)).toThrow(CodecError)
      expect(() => uuidToWire(bad)).toThrow(`invalid message id: ${bad} is not a UUID`)
    }
    expect(new CodecError('x').name).toBe('CodecError')
  })

  it('takes a message type of up to 32 characters, and keeps inner spaces', () => {
    const long = 'x'.repeat(32)
    expect(decodeMessage(encodeMessage({...goldenMessage, messageType: long})).messageType).toBe(long)
    expect(() => encodeMessage({...goldenMessage, messageType: long + 'y'})).toThrow(`message type too long: ${long}y`)
    expect(decodeMessage(encodeMessage({...goldenMessage, messageType: 'two words'})).messageType).toBe('two words')
  })

  it('pads the message type with spaces in a frame whose memory was not zeroed', () => {
    // A payload this large is not taken from Node's small-buffer pool: the frame's memory is fresh.
    for (const size of [5000, 70_000]) {
      const frame = encodeMessage({...goldenMessage, messageType: 'ack', payload: Buffer.alloc(size, 7)})
      expect(frame.toString('ascii', 4, 36)).toBe('ack'.padEnd(32, ' '))
    }
  })

  it('reads flags as 4 bytes, or the last byte of a shorter payload, or 0 when empty', () => {
    expect(decodeFlag(encodeUint32(258))).toBe(258)
    expect(decodeFlag(Buffer.from([0, 0, 1, 2, 9, 9]))).toBe(258)
    expect(decodeFlag(Buffer.from([7, 3]))).toBe(3)
    expect(decodeFlag(Buffer.from([5]))).toBe(5)
    expect(decodeFlag(Buffer.alloc(0))).toBe(0)
  })

  it('refuses a frame whose payload does not match its digest', () => {
    const frame = Buffer.from(golden, 'hex')
    frame[frame.length - 1] = 0x6a
    expect(() => decodeMessage(frame)).toThrow(/digest mismatch/)
  })

  it('refuses truncated frames, wrong lengths and header lengths', () => {
    const frame = Buffer.from(golden, 'hex')
    expect(() => decodeMessage(frame.subarray(0, 100))).toThrow(CodecError)
    expect(() => decodeMessage(frame.subarray(0, 100))).toThrow('frame too short: 100 bytes, the header alone is 120')
    expect(() => decodeMessage(frame.subarray(0, frame.length - 1))).toThrow('payload length 2 does not match the frame (1 bytes follow the header)')
    const bad = Buffer.from(frame)
    bad.writeUInt32BE(112, 0)
    expect(() => decodeMessage(bad)).toThrow(/header length/)
  })

  it('round-trips any message', () => {
    fc.assert(
      fc.property(
        fc.record({
          messageType: fc.constantFrom('input_stream_data', 'output_stream_data', 'acknowledge', 'channel_closed'),
          schemaVersion: fc.integer({min: 0, max: 0xffffffff}),
          createdDate: fc.integer({min: 0, max: Number.MAX_SAFE_INTEGER}),
          sequenceNumber: fc.integer({min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER}),
          flags: fc.integer({min: 0, max: 3}),
          messageId: fc.uuid(),
          payloadType: fc.integer({min: 0, max: 12}),
          payload: fc.uint8Array({maxLength: 2048}).map((a) => Buffer.from(a)),
        }),
        (m) => {
          expect(decodeMessage(encodeMessage(m))).toEqual(m)
        },
      ),
    )
  })

  it('reads exit codes as 4 bytes or as decimal text', () => {
    expect(decodeExitCode(encodeUint32(3))).toBe(3)
    expect(decodeExitCode(encodeUint32(255))).toBe(255)
    expect(decodeExitCode(Buffer.from('17'))).toBe(17)
  })
})
