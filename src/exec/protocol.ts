// Vocabulary of the SSM session data channel (what ECS Exec speaks): message types, payload types,
// flags and the JSON payloads of the handshake. Names follow AWS's session-manager-plugin so a reader
// can hold this file beside its source.

export const MessageType = {
  InputStreamData: 'input_stream_data',
  OutputStreamData: 'output_stream_data',
  Acknowledge: 'acknowledge',
  ChannelClosed: 'channel_closed',
  StartPublication: 'start_publication',
  PausePublication: 'pause_publication',
} as const

export const PayloadType = {
  Output: 1,
  Error: 2,
  Size: 3,
  Parameter: 4,
  HandshakeRequest: 5,
  HandshakeResponse: 6,
  HandshakeComplete: 7,
  EncChallengeRequest: 8,
  EncChallengeResponse: 9,
  Flag: 10,
  StdErr: 11,
  ExitCode: 12,
} as const

/** Values of a Flag payload (4 bytes, big-endian). */
export const PayloadFlag = {
  /** Port sessions: the local connection closed. Pier also uses it for "stdin reached its end". */
  DisconnectToPort: 1,
  TerminateSession: 2,
  ConnectToPortError: 3,
} as const

/** Message flags (header field): SYN on the first message of a stream, FIN on the last. */
export const MessageFlag = {SYN: 1, FIN: 2} as const

export const ActionType = {KMSEncryption: 'KMSEncryption', SessionType: 'SessionType'} as const

export const ActionStatus = {Success: 1, Failed: 2, Unsupported: 3} as const

/** Session types the SSM agent knows; ECS Exec uses InteractiveCommands. */
export type SessionTypeName = 'Standard_Stream' | 'InteractiveCommands' | 'NonInteractiveCommands' | 'Port'

export interface OpenDataChannelInput {
  MessageSchemaVersion: '1.0'
  RequestId: string
  TokenValue: string
  ClientId: string
  ClientVersion: string
}

export interface RequestedClientAction {
  ActionType: string
  ActionParameters: unknown
}

export interface HandshakeRequestPayload {
  AgentVersion: string
  RequestedClientActions: RequestedClientAction[]
}

export interface SessionTypeRequest {
  SessionType: SessionTypeName
  Properties?: unknown
}

export interface KmsEncryptionRequest {
  KMSKeyId: string
}

export interface KmsEncryptionResponse {
  /** Base64 (Go's []byte in JSON). */
  KMSCipherTextKey: string
  KMSCipherTextHash?: string
}

export interface ProcessedClientAction {
  ActionType: string
  ActionStatus: number
  ActionResult?: unknown
  Error?: string
}

export interface HandshakeResponsePayload {
  ClientVersion: string
  ProcessedClientActions: ProcessedClientAction[]
  Errors: string[] | null
}

export interface HandshakeCompletePayload {
  /** Nanoseconds (Go's time.Duration). */
  HandshakeTimeToComplete: number
  CustomerMessage: string
}

export interface EncryptionChallenge {
  /** Base64 of nonce + AES-256-GCM ciphertext. */
  Challenge: string
}

export interface AcknowledgeContent {
  AcknowledgedMessageType: string
  AcknowledgedMessageId: string
  AcknowledgedMessageSequenceNumber: number
  IsSequentialMessage: boolean
}

export interface ChannelClosedPayload {
  MessageId: string
  CreatedDate: string
  DestinationId: string
  SessionId: string
  MessageType: 'channel_closed'
  SchemaVersion: number
  Output: string
}

export interface TerminalSize {
  cols: number
  rows: number
}

/** Version Pier announces as a client (the agent uses it to decide which payload types it may send). */
export const PIER_CLIENT_VERSION = '1.2.650.0'
/** Version the local agent side announces. */
export const PIER_AGENT_VERSION = '3.3.0.0'
