// Decoding AWS query-protocol parameters: `Parameters.member.1.ParameterKey=…` into lists of objects.

import {ServiceError} from '../frontend/types.js'

/** `Prefix.member.N` strings, in N order. */
export function stringList(params: Record<string, string>, prefix: string): string[] {
  const out: [number, string][] = []
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.member\\.(\\d+)$`)
  for (const [k, v] of Object.entries(params)) {
    const m = re.exec(k)
    if (m) out.push([Number(m[1]), v])
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v)
}

/** `Prefix.member.N.Field` structures, in N order. */
export function structList(params: Record<string, string>, prefix: string): Record<string, string>[] {
  const byIndex = new Map<number, Record<string, string>>()
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.member\\.(\\d+)\\.(.+)$`)
  for (const [k, v] of Object.entries(params)) {
    const m = re.exec(k)
    if (!m) continue
    const i = Number(m[1])
    if (!byIndex.has(i)) byIndex.set(i, {})
    byIndex.get(i)![m[2]!] = v
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v)
}

export function bool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined
  return value.toLowerCase() === 'true'
}

export function required(params: Record<string, string>, name: string, paramPath = name.charAt(0).toLowerCase() + name.slice(1)): string {
  const v = params[name]
  if (v === undefined || v === '') {
    throw new ServiceError('ValidationError', `1 validation error detected: Value null at '${paramPath}' failed to satisfy constraint: Member must not be null`)
  }
  return v
}

const NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/

export function checkName(value: string, paramPath: string, max = 128): void {
  if (!NAME.test(value) || value.length > max) {
    throw new ServiceError('ValidationError', `1 validation error detected: Value '${value}' at '${paramPath}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`)
  }
}
