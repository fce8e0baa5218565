// References between the task's parts: depends_on, target_container, mount points name things that
// exist, and container dependencies have no cycle.
import type {Issue} from '../locate.js'
import type {WorkloadManifest} from '../types.js'

export function referencesRule(m: WorkloadManifest): Issue[] {
  if (m.type === 'Request-Driven Web Service' || m.type === 'Static Site') return []
  const any = m as Record<string, any>
  const main = String(any.name ?? '')
  const sidecars = Object.keys((any.sidecars ?? {}) as object)
  const containers = [main, ...sidecars]
  const issues: Issue[] = []
  const unknown = (path: (string | number)[], what: string, name: string): Issue => ({
    path, code: 'unknown-reference',
    message: `\`${what}\` names "${name}", which is not a container of this task: the containers are ${containers.map((c) => `"${c}"`).join(', ')}`,
    hint: `Use the workload's name (${main}) for the main container, or a key of \`sidecars\`.`,
  })

  const graph = new Map<string, string[]>()
  const deps = (owner: string, at: (string | number)[], dependsOn: unknown): void => {
    const names = Object.keys((dependsOn ?? {}) as object)
    graph.set(owner, names)
    for (const d of names) {
      if (!containers.includes(d)) issues.push(unknown([...at, 'depends_on', d], 'depends_on', d))
      else if (d === owner) issues.push({path: [...at, 'depends_on', d], code: 'dependency-cycle', message: `container "${owner}" depends on itself: it could never start`, hint: 'Remove this entry.'})
    }
  }
  deps(main, ['image'], any.image?.depends_on)
  for (const s of sidecars) deps(s, ['sidecars', s], any.sidecars[s]?.depends_on)
  const cycle = findCycle(graph)
  if (cycle && cycle.length > 2) {
    const owner = cycle[0]!
    const at = owner === main ? ['image', 'depends_on', cycle[1]!] : ['sidecars', owner, 'depends_on', cycle[1]!]
    issues.push({path: at, code: 'dependency-cycle', message: `containers depend on each other in a cycle (${cycle.join(' -> ')}): none of them could start`, hint: 'Remove one of the depends_on entries in the cycle.'})
  }

  const targets: [(string | number)[], unknown][] = []
  if (any.http && typeof any.http === 'object') {
    targets.push([['http', 'target_container'], any.http.target_container])
    ;(any.http.additional_rules ?? []).forEach((r: any, i: number) => targets.push([['http', 'additional_rules', i, 'target_container'], r?.target_container]))
  }
  if (any.nlb && typeof any.nlb === 'object') {
    targets.push([['nlb', 'target_container'], any.nlb.target_container])
    ;(any.nlb.additional_listeners ?? []).forEach((l: any, i: number) => targets.push([['nlb', 'additional_listeners', i, 'target_container'], l?.target_container]))
  }
  for (const [path, name] of targets) {
    if (typeof name === 'string' && !containers.includes(name)) issues.push(unknown(path, 'target_container', name))
  }

  const volumes = Object.keys((any.storage?.volumes ?? {}) as object)
  for (const s of sidecars) {
    ;((any.sidecars[s]?.mount_points ?? []) as any[]).forEach((mp, i) => {
      if (mp?.source_volume && !volumes.includes(mp.source_volume)) {
        issues.push({path: ['sidecars', s, 'mount_points', i, 'source_volume'], code: 'unknown-reference',
          message: `source_volume "${mp.source_volume}" is not a volume of this task: ${volumes.length ? `the volumes are ${volumes.join(', ')}` : 'storage.volumes is empty'}`,
          hint: 'Declare it under `storage.volumes`.'})
      }
    })
  }
  return issues
}

/** A cycle in the graph as a list of names (first repeated at the end), or undefined. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 1 | 2>()
  const stack: string[] = []
  const visit = (n: string): string[] | undefined => {
    state.set(n, 1)
    stack.push(n)
    for (const next of graph.get(n) ?? []) {
      if (next === n) continue
      if (state.get(next) === 1) return [...stack.slice(stack.indexOf(next)), next]
      if (!state.has(next)) {
        const c = visit(next)
        if (c) return c
      }
    }
    stack.pop()
    state.set(n, 2)
    return undefined
  }
  for (const n of graph.keys()) {
    if (!state.has(n)) {
      const c = visit(n)
      if (c) return c
    }
  }
  return undefined
}
