// Failures of a data channel session, typed so the CLI can turn each into a clear sentence.

/** The service refused the session: token unknown, already used, or expired. */
export class SessionRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`the session was refused: ${reason}`)
    this.name = 'SessionRefusedError'
  }
}

/** The session could not be opened or broke off (network, handshake, encryption). */
export class SessionError extends Error {
  constructor(message: string, opts?: {cause?: unknown}) {
    super(message, opts)
    this.name = 'SessionError'
  }
}

/** The client could not get the session's data key from KMS, so the agent refused the session. */
export class SessionKmsError extends SessionError {
  constructor(
    readonly keyId: string,
    readonly reason: string,
  ) {
    super(`the KMS key ${keyId} that encrypts the session could not be used: ${reason}`)
    this.name = 'SessionKmsError'
  }
}

/** Websocket close code the local broker uses to refuse a token (application range 4000–4999). */
export const CLOSE_TOKEN_REFUSED = 4401
