// The local KMS ciphertext blob: a self-describing envelope, so Decrypt finds the key without a KeyId
// (as AWS's does). Layout: "PKMS" | version 1 | key id (36 ASCII) | nonce (12) | tag (16) | ciphertext.
// The encryption context is the AES-GCM additional data: a different context fails to decrypt.
import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto'

const MAGIC = Buffer.from('PKMS')
const HEADER = 4 + 1 + 36

export function contextAad(context: Record<string, string> | undefined): Buffer {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return Buffer.from(JSON.stringify(entries))
}

export function seal(keyId: string, material: Buffer, plaintext: Buffer, context?: Record<string, string>): Buffer {
  const nonce = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', material, nonce).setAAD(contextAad(context))
  const body = Buffer.concat([c.update(plaintext), c.final()])
  return Buffer.concat([MAGIC, Buffer.from([1]), Buffer.from(keyId.padEnd(36).slice(0, 36), 'ascii'), nonce, c.getAuthTag(), body])
}

/** The key a blob was sealed with, or undefined when it is not a local KMS ciphertext. */
export function keyIdOf(blob: Buffer): string | undefined {
  if (blob.length < HEADER + 28 || !blob.subarray(0, 4).equals(MAGIC) || blob[4] !== 1) return undefined
  return blob.toString('ascii', 5, HEADER).trim()
}

/** Throws when the blob was altered or the context differs. */
export function open(material: Buffer, blob: Buffer, context?: Record<string, string>): Buffer {
  const nonce = blob.subarray(HEADER, HEADER + 12)
  const tag = blob.subarray(HEADER + 12, HEADER + 28)
  const d = createDecipheriv('aes-256-gcm', material, nonce).setAAD(contextAad(context))
  d.setAuthTag(tag)
  return Buffer.concat([d.update(blob.subarray(HEADER + 28)), d.final()])
}
