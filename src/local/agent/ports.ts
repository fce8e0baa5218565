// Host ports for tasks. Each task gets its own free loopback port per container port, like awsvpc
// tasks that each have their own address: two tasks of one service never collide.

import {createServer} from 'node:net'

/** Asks the kernel for a free port on 127.0.0.1, skipping ports already handed out. */
export async function allocatePort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.unref()
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
      })
    })
    if (port > 0 && !taken.has(port)) return port
  }
  throw new Error('no free port on 127.0.0.1')
}
