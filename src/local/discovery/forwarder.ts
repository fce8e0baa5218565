// A TCP forwarder on a discovery service's own loopback address: connections to
// `api.test.demo.local:8080` (127.77.x.y:8080) go round-robin to the instances' real host ports.

import {createServer, connect, type Server, type Socket} from 'node:net'

/** How long a connection waits for an instance that is starting to listen. */
const STARTING_GRACE_MS = 3000

export interface ForwardTarget {
  ip: string
  port: number
}

export class TcpForwarder {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  private next = 0

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly targets: () => ForwardTarget[],
  ) {}

  /** Listens; rejects with the listen error (EADDRINUSE when the address is taken). */
  listen(): Promise<void> {
    const server = createServer((client) => this.accept(client))
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, this.host, () => {
        server.off('error', reject)
        this.server = server
        resolve()
      })
    })
  }

  private accept(client: Socket): void {
    this.track(client)
    // A client may reset before an instance answers; its error must not reach the process.
    client.on('error', () => client.destroy())
    client.pause()
    this.dial(client, this.targets().length, Date.now() + STARTING_GRACE_MS)
  }

  /** Tries the next instance; an instance that refuses is skipped, as a client retrying DNS answers would.
   * When every instance refuses (tasks registered as they start, not yet listening), it tries again
   * for a short while before closing the connection. */
  private dial(client: Socket, attemptsLeft: number, deadline: number): void {
    const targets = this.targets()
    if (client.destroyed) return
    if (attemptsLeft <= 0 || targets.length === 0) {
      if (Date.now() >= deadline) return void client.destroy()
      setTimeout(() => this.dial(client, Math.max(1, this.targets().length), deadline), 100).unref()
      return
    }
    const target = targets[this.next++ % targets.length]!
    const upstream = connect(target.port, target.ip)
    this.track(upstream)
    let connected = false
    upstream.on('error', () => {
      if (connected) client.destroy()
      else this.dial(client, attemptsLeft - 1, deadline)
    })
    upstream.once('connect', () => {
      connected = true
      if (client.destroyed) return void upstream.destroy()
      client.once('close', () => upstream.destroy())
      upstream.once('close', () => client.destroy())
      client.pipe(upstream)
      upstream.pipe(client)
      client.resume()
    })
  }

  private track(socket: Socket): void {
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    const server = this.server
    this.server = undefined
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }
}
