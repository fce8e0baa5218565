// IPv4 CIDR blocks as address ranges, for the checks EC2 makes on VPCs and subnets.

export interface CidrRange {
  start: number
  end: number
  size: number
}

export function parseCidr(cidr: string): CidrRange | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr)
  if (!m) return undefined
  const parts = m.slice(1, 5).map(Number)
  const len = Number(m[5])
  if (parts.some((p) => p > 255) || len > 32) return undefined
  const address = (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0
  const size = 2 ** (32 - len)
  const start = address - (address % size)
  return {start, end: start + size - 1, size}
}

export function contains(outer: CidrRange, inner: CidrRange): boolean {
  return inner.start >= outer.start && inner.end <= outer.end
}

export function overlaps(a: CidrRange, b: CidrRange): boolean {
  return a.start <= b.end && b.start <= a.end
}
