// The resource dependency graph (DependsOn plus Ref, Fn::GetAtt and Fn::Sub references) and a runner
// that works through it concurrently: a node starts as soon as everything it depends on is done.

import {condition, getAttTarget, intrinsicName, subReferences, TemplateError, type EvalContext} from './intrinsics.js'
import type {Template} from './template.js'

export type DependencyGraph = Map<string, Set<string>>

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Names a value refers to (resources, parameters, pseudo parameters); Fn::If follows only the branch taken. */
export function referencedNames(value: unknown, ctx: Pick<EvalContext, 'conditions'>, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedNames(v, ctx, out)
    return out
  }
  if (!isObject(value)) return out
  const fn = intrinsicName(value)
  const arg = fn ? value[fn] : undefined
  if (fn === 'Ref' && typeof arg === 'string') out.add(arg)
  else if (fn === 'Fn::GetAtt') {
    out.add(getAttTarget(arg)[0])
    if (Array.isArray(arg)) referencedNames(arg[1], ctx, out)
  } else if (fn === 'Fn::Sub') {
    const text = Array.isArray(arg) ? arg[0] : arg
    const vars = Array.isArray(arg) && isObject(arg[1]) ? arg[1] : {}
    if (typeof text === 'string') {
      for (const name of subReferences(text)) {
        if (name in vars) continue
        out.add(name.includes('.') && !name.startsWith('AWS::') ? name.slice(0, name.indexOf('.')) : name)
      }
    }
    referencedNames(Object.values(vars), ctx, out)
  } else if (fn === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string') {
    referencedNames(condition(arg[0], ctx as EvalContext) ? arg[1] : arg[2], ctx, out)
  } else {
    for (const v of Object.values(value)) referencedNames(v, ctx, out)
  }
  return out
}

/** The active resources (Condition true) and what each depends on; checks every reference resolves. */
export function buildGraph(template: Template, conditions: Record<string, boolean>, knownNames: Set<string>): DependencyGraph {
  const active = new Set(Object.entries(template.Resources)
    .filter(([, r]) => r.Condition === undefined || conditionOf(r.Condition, conditions))
    .map(([id]) => id))
  const graph: DependencyGraph = new Map()
  const unresolved = new Set<string>()
  for (const id of active) {
    const res = template.Resources[id]!
    const deps = new Set<string>()
    const dependsOn = res.DependsOn === undefined ? [] : Array.isArray(res.DependsOn) ? res.DependsOn : [res.DependsOn]
    for (const d of dependsOn) {
      if (active.has(d)) deps.add(d)
      else unresolved.add(d)
    }
    for (const name of referencedNames([res.Properties ?? {}, res.Metadata ?? {}], {conditions})) {
      if (active.has(name)) deps.add(name)
      else if (!knownNames.has(name)) unresolved.add(name)
    }
    graph.set(id, deps)
  }
  for (const [, out] of Object.entries(template.Outputs ?? {})) {
    if (out.Condition !== undefined && !conditionOf(out.Condition, conditions)) continue
    for (const name of referencedNames([out.Value, out.Export ?? {}], {conditions})) {
      if (!active.has(name) && !knownNames.has(name)) unresolved.add(name)
    }
  }
  if (unresolved.size > 0) {
    throw new TemplateError(`Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`)
  }
  const cycle = findCycle(graph)
  if (cycle) throw new TemplateError(`Circular dependency between resources: [${cycle.join(', ')}]`)
  return graph
}

function conditionOf(name: string, conditions: Record<string, boolean>): boolean {
  if (!(name in conditions)) throw new TemplateError(`Unresolved condition dependency ${name}`)
  return conditions[name]!
}

function findCycle(graph: DependencyGraph): string[] | undefined {
  const state = new Map<string, 1 | 2>()
  const stack: string[] = []
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 2) return undefined
    if (state.get(id) === 1) return stack.slice(stack.indexOf(id)).sort()
    state.set(id, 1)
    stack.push(id)
    for (const d of graph.get(id) ?? []) {
      const c = visit(d)
      if (c) return c
    }
    stack.pop()
    state.set(id, 2)
    return undefined
  }
  for (const id of graph.keys()) {
    const c = visit(id)
    if (c) return c
  }
  return undefined
}

/** The same nodes with every edge reversed: the order for deletion. */
export function reverseGraph(graph: DependencyGraph, nodes: Iterable<string> = graph.keys()): DependencyGraph {
  const keep = new Set(nodes)
  const out: DependencyGraph = new Map([...keep].map((id) => [id, new Set<string>()]))
  for (const [id, deps] of graph) {
    if (!keep.has(id)) continue
    for (const d of deps) if (keep.has(d)) out.get(d)!.add(id)
  }
  return out
}

export interface RunOutcome {
  done: string[]
  failed: string[]
  /** Never started because of a failure. */
  notStarted: string[]
}

/**
 * Runs `task` for every node once all of its dependencies (restricted to `nodes`) are done, as many at a
 * time as are ready. After the first failure, no new node starts and `onFirstFailure` runs (to cancel the
 * ones in flight); the runner still waits for them.
 */
export async function runGraph(graph: DependencyGraph, nodes: Iterable<string>, task: (id: string) => Promise<void>,
  onFirstFailure?: () => void): Promise<RunOutcome> {
  const pending = new Set(nodes)
  const members = new Set(pending)
  const done = new Set<string>()
  const failed: string[] = []
  const inFlight = new Set<string>()
  let stopped = false
  return new Promise((resolve) => {
    const ready = (id: string) => [...(graph.get(id) ?? [])].every((d) => done.has(d) || !members.has(d))
    const pump = () => {
      if (!stopped) {
        for (const id of [...pending]) {
          if (!ready(id)) continue
          pending.delete(id)
          inFlight.add(id)
          task(id).then(() => {
            done.add(id)
          }, () => {
            failed.push(id)
            if (!stopped) {
              stopped = true
              onFirstFailure?.()
            }
          }).finally(() => {
            inFlight.delete(id)
            pump()
          })
        }
      }
      if (inFlight.size === 0 && (stopped || pending.size === 0)) {
        resolve({done: [...done], failed, notStarted: [...pending]})
      }
    }
    pump()
  })
}

/** Nodes in an order where every node comes after its dependencies. */
export function topoOrder(graph: DependencyGraph): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  const visit = (id: string): void => {
    if (seen.has(id)) return
    seen.add(id)
    for (const d of graph.get(id) ?? []) if (graph.has(d)) visit(d)
    out.push(id)
  }
  for (const id of graph.keys()) visit(id)
  return out
}
