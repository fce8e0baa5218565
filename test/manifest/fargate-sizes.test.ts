// Fargate's task sizes are checked twice: by the manifest rule (before anything is deployed) and by the
// local ECS (as AWS answers RegisterTaskDefinition). The local control plane may not import the manifest
// core, so each keeps its table; this test holds both to one table written out from AWS's documentation,
// pair by pair, including every boundary just outside each CPU size's memory range.
import {describe, expect, it} from 'vitest'
import {FARGATE_SIZES as MANIFEST_SIZES, fargateSizeRule} from '../../src/manifest/rules/fargate-size.js'
import type {WorkloadManifest} from '../../src/manifest/types.js'
import {checkFargateSize, FARGATE_SIZES as LOCAL_SIZES} from '../../src/local/ecs/fargate-sizes.js'

const GiB = 1024
const steps = (from: number, to: number, step: number) => Array.from({length: (to - from) / step + 1}, (_, i) => (from + i * step) * GiB)

/** AWS's table (CPU units -> memory MiB), from the Amazon ECS developer guide's task size table. */
const AWS: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: steps(1, 4, 1),
  1024: steps(2, 8, 1),
  2048: steps(4, 16, 1),
  4096: steps(8, 30, 1),
  8192: steps(16, 60, 4),
  16384: steps(32, 120, 8),
}

describe('Fargate task sizes', () => {
  it('the manifest rule and the local ECS hold the same table, and it is AWS’s', () => {
    const manifest = Object.fromEntries([...MANIFEST_SIZES].map(([cpu, mem]) => [cpu, [...mem]]))
    expect(manifest).toEqual(AWS)
    expect(LOCAL_SIZES).toEqual(AWS)
  })

  // Every valid pair; then, for each CPU size, the values just around its range and between its steps.
  const valid = Object.entries(AWS).flatMap(([cpu, mems]) => mems.map((m) => [Number(cpu), m] as const))
  const isValid = (cpu: number, memory: number) => AWS[cpu]?.includes(memory) ?? false
  const near = Object.entries(AWS).flatMap(([cpuText, mems]) => {
    const cpu = Number(cpuText)
    const step = mems[1]! - mems[0]!
    const lo = mems[0]!
    const hi = mems[mems.length - 1]!
    return [lo - step, lo - 1, lo + 1, lo + step / 2, hi - 1, hi + 1, hi + step, hi + GiB].filter((m) => m > 0).map((m) => [cpu, m] as const)
  })
  const otherCpu = [128, 255, 257, 768, 3072, 12288, 32768].map((cpu) => [cpu, 2048] as const)
  const pairs = [...valid, ...near, ...otherCpu].map(([cpu, memory]) => [cpu, memory, isValid(cpu, memory)] as const)

  it('has the boundary pairs it is meant to have', () => {
    expect(valid).toHaveLength(3 + 4 + 7 + 13 + 23 + 12 + 12)
    expect(pairs.filter(([, , ok]) => !ok).length).toBeGreaterThan(50)
  })

  it.each(pairs)('cpu %i with memory %i is valid: %s', (cpu, memory, ok) => {
    const manifest = {name: 'web', type: 'Backend Service', cpu, memory} as unknown as WorkloadManifest
    const issues = fargateSizeRule(manifest)
    expect(issues.length === 0, JSON.stringify(issues)).toBe(ok)
    if (!ok) expect(issues[0]).toMatchObject({code: 'fargate-size', path: [AWS[cpu] ? 'memory' : 'cpu']})
    if (ok) expect(() => checkFargateSize(cpu, memory)).not.toThrow()
    else expect(() => checkFargateSize(cpu, memory)).toThrow(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.`)
  })

  it('names the memory values a CPU size takes, and the CPU sizes a memory value fits', () => {
    const issue = fargateSizeRule({name: 'web', type: 'Backend Service', cpu: 16384, memory: 36864} as unknown as WorkloadManifest)[0]!
    expect(issue.message).toBe('memory 36864 MiB does not pair with cpu 16384 on Fargate: cpu 16384 takes 32768-122880 in steps of 8192 MiB')
    const fits = fargateSizeRule({name: 'web', type: 'Backend Service', cpu: 256, memory: 4096} as unknown as WorkloadManifest)[0]!
    expect(fits.hint).toBe('Set memory to one of 512, 1024, 2048, or cpu to 512 or 1024 or 2048.')
  })
})
