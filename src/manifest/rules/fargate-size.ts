// Fargate accepts only some task sizes: each CPU value pairs with a range of memory values.
import type {Issue} from '../locate.js'
import type {WorkloadManifest} from '../types.js'

const GiB = 1024
const range = (from: number, to: number, step: number): number[] => {
  const out: number[] = []
  for (let v = from; v <= to; v += step) out.push(v)
  return out
}

/** CPU units -> allowed memory (MiB). From the Fargate task size table. */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1 * GiB, 4 * GiB, GiB)],
  [1024, range(2 * GiB, 8 * GiB, GiB)],
  [2048, range(4 * GiB, 16 * GiB, GiB)],
  [4096, range(8 * GiB, 30 * GiB, GiB)],
  [8192, range(16 * GiB, 60 * GiB, 4 * GiB)],
  [16384, range(32 * GiB, 120 * GiB, 8 * GiB)],
])

function describeMemory(list: readonly number[]): string {
  if (list.length <= 3) return list.join(', ')
  const step = list[1]! - list[0]!
  return `${list[0]}-${list[list.length - 1]} in steps of ${step}`
}

export function fargateSizeRule(m: WorkloadManifest): Issue[] {
  const {cpu, memory} = m as {cpu?: unknown; memory?: unknown}
  if (typeof cpu !== 'number' || typeof memory !== 'number') return []
  if (m.type === 'Request-Driven Web Service' || m.type === 'Static Site') return []
  const allowed = FARGATE_SIZES.get(cpu)
  if (!allowed) {
    return [{path: ['cpu'], code: 'fargate-size', message: `cpu ${cpu} is not a Fargate task size: Fargate offers ${[...FARGATE_SIZES.keys()].join(', ')} CPU units`,
      hint: `Use one of ${[...FARGATE_SIZES.keys()].join(', ')} (1024 = 1 vCPU).`}]
  }
  if (!allowed.includes(memory)) {
    const fits = [...FARGATE_SIZES].filter(([, mem]) => mem.includes(memory)).map(([c]) => c)
    return [{path: ['memory'], code: 'fargate-size', message: `memory ${memory} MiB does not pair with cpu ${cpu} on Fargate: cpu ${cpu} takes ${describeMemory(allowed)} MiB`,
      hint: fits.length > 0 ? `Set memory to one of ${describeMemory(allowed)}, or cpu to ${fits.join(' or ')}.` : `Set memory to one of ${describeMemory(allowed)}.`}]
  }
  return []
}
