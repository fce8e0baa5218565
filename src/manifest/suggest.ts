// "Did you mean" suggestions: the closest known word by edit distance.

export function editDistance(a: string, b: string): number {
  const prev = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = tmp
    }
  }
  return prev[b.length]!
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase()
  let best: string | undefined
  let bestScore = Infinity
  for (const c of candidates) {
    const cl = c.toLowerCase()
    const score = cl === w.replace(/-/g, '_') || cl.replace(/_/g, '') === w.replace(/[-_]/g, '') ? 0 : editDistance(w, cl)
    if (score < bestScore) {
      best = c
      bestScore = score
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3))
  return best !== undefined && bestScore <= limit ? best : undefined
}
