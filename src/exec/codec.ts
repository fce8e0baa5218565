// The binary message of the SSM data channel (big-endian):
//   0 HeaderLength(4)=116  4 MessageType(32, space padded)  36 SchemaVersion(4)  40 CreatedDate(8)
//   48 SequenceNumber(8, signed)  56 Flags(8)  64 MessageId(16: UUID low half, then high half)
//   80 PayloadDigest(32, SHA-256 of payload)  112 PayloadType(4)  116 PayloadLength(4)  120 Payload
// Decoding checks the lengths and the digest, so a corrupt frame is refused instead of delivered.
import {createHash, randomUUID} from 'node:crypto'

export const HEADER_LENGTH = 116
const PAYLOAD_OFFSET = 120
const MESSAGE_TYPE_LENGTH = 32

export interface ClientMessage {
  messageType: string
  schemaVersion: number
  /** Epoch milliseconds. */
  createdDate: number
  sequenceNumber: number
  flags: number
  /** Canonical UUID string. */
  messageId: string
  payloadType: number
  payload: Buffer
}

export class CodecError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CodecError'
  }
}

export function newMessageId(): string {
  return randomUUID()
}

/** UUID string → 16 bytes in the wire order: bytes 8–15 of the UUID first, then bytes 0–7. */
export function uuidToWire(uuid: string): Buffer {
  const hex = uuid.length === 36 ? uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24) : uuid
  const b = Buffer.from(hex, 'hex')
  if (b.length !== 16 || hex.length !== 32) throw new CodecError(`invalid message id: ${uuid} is not a UUID`)
  return Buffer.concat([b.subarray(8, 16), b.subarray(0, 8)], 16)
}

export function uuidFromWire(wire: Buffer): string {
  const b = Buffer.concat([wire.subarray(8, 16), wire.subarray(0, 8)]).toString('hex')
  return `${b.slice(0, 8)}-${b.slice(8, 12)}-${b.slice(12, 16)}-${b.slice(16, 20)}-${b.slice(20)}`
}

export function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest()
}

export function encodeMessage(m: ClientMessage): Buffer {
  if (m.messageType.length > MESSAGE_TYPE_LENGTH) throw new CodecError(`message type too long: ${m.messageType}`)
  // Every byte of the header is written below, so the buffer need not be zeroed first.
  const out = Buffer.allocUnsafe(PAYLOAD_OFFSET + m.payload.length)
  out.writeUInt32BE(HEADER_LENGTH, 0)
  out.write(m.messageType.padEnd(MESSAGE_TYPE_LENGTH, ' '), 4, 'ascii')
  out.writeUInt32BE(m.schemaVersion, 36)
  out.writeBigUInt64BE(BigInt(m.createdDate), 40)
  out.writeBigInt64BE(BigInt(m.sequenceNumber), 48)
  out.writeBigUInt64BE(BigInt(m.flags), 56)
  uuidToWire(m.messageId).copy(out, 64)
  sha256(m.payload).copy(out, 80)
  out.writeUInt32BE(m.payloadType, 112)
  out.writeUInt32BE(m.payload.length, 116)
  m.payload.copy(out, PAYLOAD_OFFSET)
  return out
}

export function decodeMessage(frame: Buffer): ClientMessage {
  if (frame.length < PAYLOAD_OFFSET) throw new CodecError(`frame too short: ${frame.length} bytes, the header alone is ${PAYLOAD_OFFSET}`)
  const headerLength = frame.readUInt32BE(0)
  if (headerLength !== HEADER_LENGTH) throw new CodecError(`unsupported header length ${headerLength}: expected ${HEADER_LENGTH}`)
  const payloadLength = frame.readUInt32BE(116)
  if (frame.length !== PAYLOAD_OFFSET + payloadLength) {
    throw new CodecError(`payload length ${payloadLength} does not match the frame (${frame.length - PAYLOAD_OFFSET} bytes follow the header)`)
  }
  const payload = frame.subarray(PAYLOAD_OFFSET)
  if (!sha256(payload).equals(frame.subarray(80, 112))) throw new CodecError('payload digest mismatch: the frame was corrupted')
  return {
    messageType: frame.toString('ascii', 4, 36).replace(/[ \0]+$/, ''),
    schemaVersion: frame.readUInt32BE(36),
    createdDate: Number(frame.readBigUInt64BE(40)),
    sequenceNumber: Number(frame.readBigInt64BE(48)),
    flags: Number(frame.readBigUInt64BE(56)),
    messageId: uuidFromWire(frame.subarray(64, 80)),
    payloadType: frame.readUInt32BE(112),
    payload,
  }
}

/** Flag and exit-code payloads: a 4-byte big-endian unsigned integer. */
export function encodeUint32(value: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(value >>> 0)
  return b
}

/** Exit codes arrive as 4 bytes (Pier) or as decimal text (other agents). */
export function decodeExitCode(payload: Buffer): number {
  if (payload.length === 4) return payload.readInt32BE(0)
  const n = Number.parseInt(payload.toString('utf8').trim(), 10)
  return Number.isFinite(n) ? n : 1
}

export function decodeFlag(payload: Buffer): number {
  return payload.length >= 4 ? payload.readUInt32BE(0) : payload.length > 0 ? payload[payload.length - 1]! : 0
}
