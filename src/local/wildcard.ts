// Wildcard matching (`*` any run of characters, `?` one character) without regular expressions: the
// patterns and the strings both come from users (ALB rule conditions and request paths, CloudWatch
// Logs filter patterns and log events, EC2 filter values), and a pattern turned into a regular
// expression backtracks exponentially on a crafted string (`/static/*/*/*.js` against 2,400 slashes
// froze the control plane for seconds). This matcher splits the pattern at its stars, anchors the
// first and last pieces and finds each middle piece at its leftmost place (which is always safe for
// globs), so its work is bounded by the string's length times the pattern's.

export interface WildcardOptions {
  /** Compare without regard to case. */
  caseInsensitive?: boolean
  /** Whether `?` matches one character (true) or only itself (false). Default true. */
  question?: boolean
}

export function wildcardMatch(pattern: string, value: string, opts: WildcardOptions = {}): boolean {
  const q = opts.question !== false
  if (opts.caseInsensitive) {
    pattern = pattern.toLowerCase()
    value = value.toLowerCase()
  }
  const pieces = pattern.split('*')
  if (pieces.length === 1) return value.length === pattern.length && pieceAt(value, 0, pattern, q)
  const first = pieces[0]!
  const last = pieces[pieces.length - 1]!
  if (value.length < first.length + last.length) return false
  if (!pieceAt(value, 0, first, q)) return false
  const end = value.length - last.length
  if (!pieceAt(value, end, last, q)) return false
  let pos = first.length
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!
    if (piece.length === 0) continue
    const at = findPiece(value, pos, end, piece, q)
    if (at < 0) return false
    pos = at + piece.length
  }
  return true
}

/** Whether `piece` (with `?` as any one character when `q`) matches `value` at `pos`. */
function pieceAt(value: string, pos: number, piece: string, q: boolean): boolean {
  if (pos < 0 || pos + piece.length > value.length) return false
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i)
    if (q && c === 63 /* ? */) continue
    if (value.charCodeAt(pos + i) !== c) return false
  }
  return true
}

/** The leftmost place in [from, end) where `piece` fits whole, or -1. */
function findPiece(value: string, from: number, end: number, piece: string, q: boolean): number {
  if (!q || !piece.includes('?')) {
    const at = value.indexOf(piece, from)
    return at >= 0 && at + piece.length <= end ? at : -1
  }
  for (let i = from; i + piece.length <= end; i++) if (pieceAt(value, i, piece, q)) return i
  return -1
}
