// Which TCP ports a container's processes listen on, read from /proc. The process driver uses it to
// tell a user whose app ignores $PORT (and so cannot be reached through the load balancer or
// service discovery) what to change, instead of leaving targets silently unhealthy.

import {readFileSync, readdirSync, readlinkSync} from 'node:fs'

/** A process and all its descendants. */
export function processTree(pid: number): number[] {
  const out: number[] = []
  const queue = [pid]
  while (queue.length) {
    const p = queue.shift()!
    out.push(p)
    try {
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim()
        if (children) queue.push(...children.split(/\s+/).map(Number))
      }
    } catch {
      // exited meanwhile
    }
  }
  return out
}

/** Every TCP socket in LISTEN state (IPv4 and IPv6), from /proc/net/tcp: its address in the kernel's
 * hex form, its port, and its socket inode. */
export function listeningEntries(): {address: string; port: number; inode: string}[] {
  const out: {address: string; port: number; inode: string}[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f[3] !== '0A' || !f[1] || !f[9]) continue
      const colon = f[1].lastIndexOf(':')
      out.push({address: f[1].slice(0, colon), port: Number.parseInt(f[1].slice(colon + 1), 16), inode: f[9]})
    }
  }
  return out
}

/** Socket inode → port for every TCP socket in LISTEN state. */
function listeningSockets(): Map<string, number> {
  return new Map(listeningEntries().map((e) => [e.inode, e.port]))
}

/** The TCP ports these processes listen on. */
export function listeningPorts(pids: number[]): Set<number> {
  const sockets = listeningSockets()
  const ports = new Set<number>()
  for (const pid of pids) {
    let fds: string[] = []
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
        const port = m && sockets.get(m[1]!)
        if (port) ports.add(port)
      } catch {
        // closed meanwhile
      }
    }
  }
  return ports
}
