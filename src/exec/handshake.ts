// Building and reading the handshake payloads (both sides), kept apart from the session logic.
import {createHash} from 'node:crypto'

import {
  ActionStatus,
  ActionType,
  type HandshakeRequestPayload,
  type HandshakeResponsePayload,
  type KmsEncryptionRequest,
  type KmsEncryptionResponse,
  type ProcessedClientAction,
  type SessionTypeRequest,
} from './protocol.js'

export function jsonPayload(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8')
}

export function parseJson<T>(payload: Buffer, what: string): T {
  try {
    return JSON.parse(payload.toString('utf8')) as T
  } catch {
    throw new Error(`${what}: the payload is not JSON`)
  }
}

export function handshakeRequest(agentVersion: string, session: SessionTypeRequest, kmsKeyId?: string): HandshakeRequestPayload {
  const actions: HandshakeRequestPayload['RequestedClientActions'] = [{ActionType: ActionType.SessionType, ActionParameters: session}]
  if (kmsKeyId) actions.push({ActionType: ActionType.KMSEncryption, ActionParameters: {KMSKeyId: kmsKeyId} satisfies KmsEncryptionRequest})
  return {AgentVersion: agentVersion, RequestedClientActions: actions}
}

export function kmsEncryptionResult(ciphertextKey: Buffer): KmsEncryptionResponse {
  return {
    KMSCipherTextKey: ciphertextKey.toString('base64'),
    KMSCipherTextHash: createHash('sha256').update(ciphertextKey).digest('base64'),
  }
}

/** The agent's reading of the client's answer: which actions succeeded, and the ciphertext key if any. */
export function readHandshakeResponse(r: HandshakeResponsePayload): {
  failures: string[]
  sessionTypeAccepted: boolean
  ciphertextKey?: Buffer
} {
  const failures = [...(r.Errors ?? [])]
  let sessionTypeAccepted = false
  let ciphertextKey: Buffer | undefined
  for (const a of r.ProcessedClientActions ?? []) {
    const ok = a.ActionStatus === ActionStatus.Success
    if (!ok && a.Error && !failures.includes(a.Error)) failures.push(a.Error)
    if (a.ActionType === ActionType.SessionType && ok) sessionTypeAccepted = true
    if (a.ActionType === ActionType.KMSEncryption && ok) {
      const res = a.ActionResult as Partial<KmsEncryptionResponse> | undefined
      if (res?.KMSCipherTextKey) ciphertextKey = Buffer.from(res.KMSCipherTextKey, 'base64')
    }
  }
  return {failures, sessionTypeAccepted, ...(ciphertextKey ? {ciphertextKey} : {})}
}

export function processed(actionType: string, status: number, extra: Partial<ProcessedClientAction> = {}): ProcessedClientAction {
  return {ActionType: actionType, ActionStatus: status, ...extra}
}
