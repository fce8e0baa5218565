// Fargate's task sizes: the CPU/memory table, and parsing of ECS's size strings ("256", "1 vCPU",
// "2 GB", "2048").

import {ServiceError} from '../frontend/types.js'

const GiB = 1024

/** Valid memory sizes (MiB) for each Fargate CPU size (units). */
export const FARGATE_SIZES: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1, 4, 1),
  1024: range(2, 8, 1),
  2048: range(4, 16, 1),
  4096: range(8, 30, 1),
  8192: range(16, 60, 4),
  16384: range(32, 120, 8),
}

function range(fromGiB: number, toGiB: number, stepGiB: number): number[] {
  const out: number[] = []
  for (let g = fromGiB; g <= toGiB; g += stepGiB) out.push(g * GiB)
  return out
}

/** "256" → 256, "1 vCPU" / "0.25 vcpu" → units. Undefined when it is not a size. */
export function parseCpu(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value)
  if (!m) return undefined
  const n = Number(m[1])
  const units = m[2] ? Math.round(n * 1024) : n
  return Number.isInteger(units) && units > 0 ? units : undefined
}

/** "512" → 512, "1 GB" / "1gb" → 1024. Undefined when it is not a size. */
export function parseMemory(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb)?\s*$/i.exec(value)
  if (!m) return undefined
  const n = Number(m[1])
  const mib = m[2] ? Math.round(n * 1024) : n
  return Number.isInteger(mib) && mib > 0 ? mib : undefined
}

/** Throws ClientException with AWS's wording when the pair is not on Fargate's table. */
export function checkFargateSize(cpu: number, memory: number): void {
  if (!FARGATE_SIZES[cpu]?.includes(memory)) {
    throw new ServiceError(
      'ClientException',
      `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`,
    )
  }
}
