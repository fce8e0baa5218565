// Whether a server is ready for clients, beyond accepting TCP: PostgreSQL accepts connections while it
// is still opening the database ("the database system is starting up", SQLSTATE 57P03); it is ready
// once a startup message gets anything else (an authentication request, or another error).

import {connect} from 'node:net'

export function postgresReady(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({host: '127.0.0.1', port})
    const done = (ready: boolean) => {
      sock.destroy()
      resolve(ready)
    }
    sock.setTimeout(2000, () => done(false))
    sock.once('error', () => done(false))
    let buf = Buffer.alloc(0)
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      if (buf.length < 5) return
      if (buf[0] !== 0x45) return done(true)
      const len = buf.readUInt32BE(1)
      if (buf.length < len + 1) return
      // ErrorResponse fields: a type byte then a NUL-terminated string; 'C' is the SQLSTATE.
      const fields = buf.subarray(5, len + 1).toString('utf8').split('\0')
      done(!fields.some((f) => f === 'C57P03'))
    })
    sock.once('connect', () => {
      // Connected to itself (see accepting in supervisor.ts): no server there.
      if (sock.localPort === port) return done(false)
      const params = Buffer.from('user\0postgres\0database\0postgres\0\0', 'utf8')
      const head = Buffer.alloc(8)
      head.writeUInt32BE(8 + params.length, 0)
      head.writeUInt32BE(196608, 4)
      sock.write(Buffer.concat([head, params]))
    })
  })
}
