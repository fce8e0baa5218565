// The SSM session data channel, shared by the CLI (client side) and the local control plane (agent
// side). See docs/exec.md.
export {type ClientMessage, CodecError, decodeMessage, encodeMessage, uuidFromWire, uuidToWire} from './codec.js'
export {DataChannel, type DataChannelOptions, type ChannelStats} from './channel.js'
export {ClientSession, dialSession, type DialOptions, type SessionResult} from './client.js'
export {runAgentSession, type AgentSessionOptions, type AgentSessionResult, type ProcessFactory, type SessionProcess} from './agent.js'
export {type AgentKms, type ExecKms, SessionCipher, sessionEncryptionContext} from './crypto.js'
export {CLOSE_TOKEN_REFUSED, SessionError, SessionKmsError, SessionRefusedError} from './errors.js'
export {splitCommandLine, quoteWord} from './command-line.js'
export {exitStatusCommand, MarkedOutput, newMarker, TerminalInput, type TerminalMode} from './exit-status.js'
export {type CommandResult, runCommandSession} from './command-session.js'
export {type FrameSocket, memorySocketPair} from './socket.js'
export {type AttachResult, attachTerminal, pipeSession, processIo, type TerminalIo} from './terminal.js'
export {MessageType, PayloadFlag, PayloadType} from './protocol.js'
