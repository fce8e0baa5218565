// A network namespace per task, as awsvpc gives each Fargate task its own interface. Each task gets
// `ip netns` namespace `pier-<agent>-<task>` with a veth pair: the host end is 10.213.a.b/30's first
// address (the task's gateway), the task end (eth0) the second, the task's private IP. Inside:
//   - every container of the task shares the namespace, so they reach each other on localhost and each
//     listens on its own containerPort; the host, the load balancer and discovery reach the task at
//     its private IP on the container port;
//   - 127.0.0.1 stays the task's own, but the rest of 127.0.0.0/8 is routed to the host (the kernel
//     allows it with route_localnet), so discovery names (127.77.x.y forwarders) answer as on the host;
//   - connections to 127.0.0.1 on a port the host listens on at 127.0.0.1 (the control plane, addons'
//     database and cache servers) and not among the task's container ports go to the host's: DNAT to the
//     gateway, which the host DNATs to its own 127.0.0.1.
// Root only; every name carries the agent's marker so a crashed run's namespaces and rules are found.

import {execFile} from 'node:child_process'
import {createHash, randomInt} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'

import {listeningEntries} from './listening.js'

const NETNS_DIR = '/run/netns'
/** `ip` and `iptables` live in sbin, which a root shell reached without a login may lack on PATH. */
const SBIN_PATH = `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin`
const BASE = [10, 213] as const

export interface TaskNetwork {
  name: string
  /** /run/netns/<name>. */
  path: string
  /** The task's private IP (inside). */
  ip: string
  /** The host's end: the task's gateway and the host's address as seen from the task. */
  gateway: string
  hostVeth: string
  /** Host ports forwarded from the task's 127.0.0.1. */
  forwarded: Set<number>
}

function sh(script: string, timeoutMs = 20_000): Promise<{code: number; stderr: string}> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-ec', script], {timeout: timeoutMs, env: {...process.env, PATH: SBIN_PATH}}, (error, _stdout, stderr) => {
      resolve({code: error ? (typeof (error as NodeJS.ErrnoException).code === 'number' ? Number((error as NodeJS.ErrnoException).code) : 1) : 0, stderr: String(stderr)})
    })
  })
}

const short = (marker: string): string => marker.slice(0, 8)
const nsPrefix = (marker: string): string => `pier-${short(marker)}-`
const comment = (marker: string, taskId: string): string => `pier:${short(marker)}:${taskId}`

/** Whether namespaces can be made here: root, `ip` and `iptables`. */
export async function taskNetworksWork(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false
  const probe = `pier-probe-${process.pid}`
  const r = await sh(`command -v iptables-restore >/dev/null; ip netns add ${probe}; ip netns del ${probe}`)
  return r.code === 0
}

/** TCP ports the host listens on at 127.0.0.1 or on every address (from /proc/net/tcp). */
export function hostLoopbackPorts(): number[] {
  const ports = new Set<number>()
  for (const {address, port} of listeningEntries()) {
    const any = /^0+$/.test(address)
    const loopback = address === '0100007F' || address === '00000000000000000000000001000000'
    if (any || loopback) ports.add(port)
  }
  return [...ports]
}

function usedSubnets(): Set<string> {
  const used = new Set<string>()
  try {
    for (const line of readFileSync('/proc/net/fib_trie', 'utf8').split('\n')) {
      const m = line.match(/(\d+)\.(\d+)\.(\d+)\.(\d+)/)
      if (m && Number(m[1]) === BASE[0] && Number(m[2]) === BASE[1]) used.add(`${m[3]}.${Number(m[4]) & ~3}`)
    }
  } catch {
    // no /proc: collisions are caught by `ip addr add` below
  }
  return used
}

function natRules(net: TaskNetwork, ports: number[]): string {
  const lines = ports.map((p) => `-A OUTPUT -o lo -d 127.0.0.1/32 -p tcp --dport ${p} -j DNAT --to-destination ${net.gateway}`)
  return `*nat\n${lines.join('\n')}${lines.length ? '\n' : ''}COMMIT\n`
}

/** Names and addresses for a task's namespace (a free /30 of 10.213.0.0/16); nothing is created yet. */
export function planTaskNetwork(marker: string, taskId: string): TaskNetwork {
  const name = `${nsPrefix(marker)}${taskId}`.slice(0, 200)
  const hostVeth = `pv${createHash('sha256').update(`${marker}/${taskId}`).digest('hex').slice(0, 10)}`
  const used = usedSubnets()
  let a = 0
  let b = 0
  do {
    a = randomInt(0, 256)
    b = randomInt(0, 64) * 4
  } while (used.has(`${a}.${b}`))
  return {name, path: `${NETNS_DIR}/${name}`, ip: `${BASE[0]}.${BASE[1]}.${a}.${b + 2}`, gateway: `${BASE[0]}.${BASE[1]}.${a}.${b + 1}`, hostVeth, forwarded: new Set()}
}

/**
 * Creates the namespace (or names the one process `attachPid` runs in: Docker's first container) and
 * wires it as described above. `containerPorts` stay the task's own on 127.0.0.1.
 */
export async function setupTaskNetwork(marker: string, taskId: string, net: TaskNetwork, containerPorts: number[], attachPid?: number): Promise<void> {
  const own = new Set(containerPorts)
  const ports = hostLoopbackPorts().filter((p) => !own.has(p))
  for (const p of ports) net.forwarded.add(p)
  const {name, hostVeth} = net
  const script = [
    attachPid ? `ip netns attach ${name} ${attachPid}` : `ip netns add ${name}`,
    `ip link add ${hostVeth} type veth peer name eth0 netns ${name}`,
    `ip addr add ${net.gateway}/30 dev ${hostVeth}`,
    `echo 1 > /proc/sys/net/ipv4/conf/${hostVeth}/route_localnet`,
    `ip link set ${hostVeth} up`,
    `ip -n ${name} link set lo up`,
    `ip -n ${name} addr add ${net.ip}/30 dev eth0`,
    `ip -n ${name} link set eth0 up`,
    `ip -n ${name} route add default via ${net.gateway} dev eth0`,
    // The rest of 127/8 leaves through eth0 to the host, where discovery's forwarders listen.
    `ip -n ${name} route del local 127.0.0.0/8 dev lo table local`,
    `ip netns exec ${name} sh -c 'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet; echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet'`,
    `printf '%s' '${natRules(net, ports)}*nat\n-A POSTROUTING -o eth0 -s 127.0.0.0/8 -j SNAT --to-source ${net.ip}\nCOMMIT\n' | ip netns exec ${name} iptables-restore --noflush`,
    `iptables -t nat -A PREROUTING -i ${hostVeth} -d ${net.gateway}/32 -p tcp -m comment --comment ${comment(marker, taskId)} -j DNAT --to-destination 127.0.0.1`,
  ].join('\n')
  const r = await sh(script)
  if (r.code === 0) return
  await removeTaskNetwork(marker, taskId, net)
  throw new Error(`ResourceInitializationError: cannot set up the task's network namespace: ${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`}`)
}

/** Forwards host ports opened since the task started (an addon's server started later). */
export async function refreshForwards(net: TaskNetwork, containerPorts: number[]): Promise<void> {
  const own = new Set(containerPorts)
  const added = hostLoopbackPorts().filter((p) => !own.has(p) && !net.forwarded.has(p))
  if (added.length === 0) return
  for (const p of added) net.forwarded.add(p)
  await sh(`printf '%s' '${natRules(net, added)}' | ip netns exec ${net.name} iptables-restore --noflush`)
}

/** Removes a task's namespace (its veth pair goes with it) and the host's rule for it. */
export async function removeTaskNetwork(marker: string, taskId: string, net?: Pick<TaskNetwork, 'name' | 'hostVeth' | 'gateway'>): Promise<void> {
  const name = net?.name ?? `${nsPrefix(marker)}${taskId}`
  const rules = await hostRules(marker, taskId)
  const script = [`ip netns del ${name} 2>/dev/null || true`, ...(net ? [`ip link del ${net.hostVeth} 2>/dev/null || true`] : []), ...rules.map((r) => `iptables -t nat ${r.replace(/^-A /, '-D ')} || true`)]
  await sh(script.join('\n'))
}

async function hostRules(marker: string, taskId?: string): Promise<string[]> {
  const out = await new Promise<string>((resolve) =>
    execFile('iptables', ['-t', 'nat', '-S', 'PREROUTING'], {env: {...process.env, PATH: SBIN_PATH}}, (error, stdout) => resolve(error ? '' : String(stdout))),
  )
  const needle = taskId ? comment(marker, taskId) : `pier:${short(marker)}:`
  return out.split('\n').filter((l) => l.startsWith('-A ') && l.includes(needle))
}

/** Removes every namespace and host rule an agent with this marker left (after a crash). */
export async function cleanupTaskNetworks(marker: string): Promise<string[]> {
  let names: string[] = []
  try {
    names = readdirSync(NETNS_DIR).filter((n) => n.startsWith(nsPrefix(marker)))
  } catch {
    // no namespaces at all
  }
  const rules = await hostRules(marker)
  if (names.length === 0 && rules.length === 0) return []
  await sh([...names.map((n) => `ip netns del ${n} 2>/dev/null || true`), ...rules.map((r) => `iptables -t nat ${r.replace(/^-A /, '-D ')} || true`)].join('\n'))
  return names
}
