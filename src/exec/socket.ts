// The socket the agent side of a session speaks over: a websocket, or an in-memory pair when the
// agent runs inside the control plane's own process (no loopback hop, no frame masking).
import {EventEmitter} from 'node:events'

export const OPEN = 1
export const CLOSED = 3

/** What runAgentSession needs from a socket; `ws`'s WebSocket fits. Emits 'message' (data, isBinary), 'close', 'error'. */
export interface FrameSocket extends EventEmitter {
  readonly readyState: number
  send(data: Buffer): void
  close(code?: number, reason?: string): void
}

class MemorySocket extends EventEmitter implements FrameSocket {
  readyState = OPEN
  peer!: MemorySocket
  private readonly inbox: Buffer[] = []
  private scheduled = false

  send(data: Buffer): void {
    if (this.readyState !== OPEN) return
    this.peer.deliver(data)
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState !== OPEN) return
    this.readyState = CLOSED
    setImmediate(() => {
      this.flush()
      this.emit('close', code, Buffer.from(reason))
      this.peer.closeFromPeer(code, reason)
    })
  }

  terminate(): void {
    this.close(1006)
  }

  private closeFromPeer(code: number, reason: string): void {
    if (this.readyState === CLOSED && this.listenerCount('close') === 0) return
    const wasOpen = this.readyState === OPEN
    this.readyState = CLOSED
    this.flush()
    if (wasOpen) this.emit('close', code, Buffer.from(reason))
  }

  // Delivery is deferred so a handler that sends in reply never re-enters its peer's handler.
  private deliver(data: Buffer): void {
    this.inbox.push(data)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flush())
  }

  private flush(): void {
    this.scheduled = false
    for (const d of this.inbox.splice(0)) this.emit('message', d, true)
  }
}

/** Two connected in-memory sockets; what one sends, the other emits as a binary message. */
export function memorySocketPair(): [FrameSocket & {terminate(): void}, FrameSocket & {terminate(): void}] {
  const a = new MemorySocket()
  const b = new MemorySocket()
  a.peer = b
  b.peer = a
  return [a, b]
}
