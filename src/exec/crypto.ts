// KMS encryption of the data channel. The client asks KMS for a 64-byte data key; bytes 0–31 protect
// agent-to-client data and bytes 32–63 client-to-agent data. Each message is AES-256-GCM with a fresh
// 12-byte nonce written in front of the ciphertext (and the 16-byte tag after it, as Go's Seal does).
import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto'

const NONCE = 12
const TAG = 16

/** The KMS calls the client needs (the SDK's KMS client fits, as does any stand-in in tests). */
export interface ExecKms {
  generateDataKey(input: {
    KeyId: string
    NumberOfBytes: number
    EncryptionContext: Record<string, string>
  }): Promise<{CiphertextBlob?: Uint8Array; Plaintext?: Uint8Array}>
}

/** The KMS call the agent side needs: turn the client's ciphertext key back into the data key. */
export interface AgentKms {
  keyId: string
  decrypt(ciphertextBlob: Buffer, encryptionContext: Record<string, string>): Promise<Buffer>
}

export class SessionCipher {
  private constructor(
    private readonly encryptKey: Buffer,
    private readonly decryptKey: Buffer,
  ) {}

  /** Splits a 64-byte data key for one side of the channel. */
  static fromDataKey(dataKey: Buffer, side: 'client' | 'agent'): SessionCipher {
    if (dataKey.length !== 64) throw new Error(`data key has ${dataKey.length} bytes: the session needs 64`)
    const agentToClient = dataKey.subarray(0, 32)
    const clientToAgent = dataKey.subarray(32, 64)
    return side === 'client' ? new SessionCipher(clientToAgent, agentToClient) : new SessionCipher(agentToClient, clientToAgent)
  }

  encrypt(plain: Buffer): Buffer {
    const nonce = randomBytes(NONCE)
    const c = createCipheriv('aes-256-gcm', this.encryptKey, nonce)
    const body = Buffer.concat([c.update(plain), c.final()])
    return Buffer.concat([nonce, body, c.getAuthTag()])
  }

  decrypt(sealed: Buffer): Buffer {
    if (sealed.length < NONCE + TAG) throw new Error('encrypted payload too short')
    const d = createDecipheriv('aes-256-gcm', this.decryptKey, sealed.subarray(0, NONCE))
    d.setAuthTag(sealed.subarray(sealed.length - TAG))
    return Buffer.concat([d.update(sealed.subarray(NONCE, sealed.length - TAG)), d.final()])
  }
}

/** The encryption context KMS binds the data key to. */
export function sessionEncryptionContext(sessionId: string, targetId: string): Record<string, string> {
  return {'aws:ssm:SessionId': sessionId, 'aws:ssm:TargetId': targetId}
}
