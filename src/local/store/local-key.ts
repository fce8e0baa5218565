// The local key that encrypts SecureString parameters and secret values at rest: 32 random bytes in
// `<stateDir>/keys/local.key` (mode 0600), created on first use. AES-256-GCM, a fresh IV per value.
// Wiping the state directory wipes the key with the values it protects.

import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

export class LocalKey {
  private readonly key: Buffer

  constructor(stateDir: string) {
    const dir = join(stateDir, 'keys')
    const path = join(dir, 'local.key')
    let key: Buffer
    try {
      key = readFileSync(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      mkdirSync(dir, {recursive: true, mode: 0o700})
      key = randomBytes(32)
      // 'wx': two processes racing to create the key must not overwrite each other's.
      try {
        writeFileSync(path, key, {mode: 0o600, flag: 'wx'})
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
        key = readFileSync(path)
      }
    }
    if (key.length !== 32) throw new Error(`${path} is not a 32-byte key; remove it to lose the encrypted values, or restore it`)
    this.key = key
  }

  /** `v1:<iv>:<tag>:<ciphertext>`, base64 parts. */
  encrypt(plain: string | Buffer): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const ct = Buffer.concat([cipher.update(plain), cipher.final()])
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':')
  }

  decryptBuffer(sealed: string): Buffer {
    const [v, iv, tag, ct] = sealed.split(':')
    if (v !== 'v1' || iv === undefined || tag === undefined || ct === undefined) throw new Error('not a value sealed by the local key')
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'))
    decipher.setAuthTag(Buffer.from(tag, 'base64'))
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()])
  }

  decrypt(sealed: string): string {
    return this.decryptBuffer(sealed).toString('utf8')
  }
}
