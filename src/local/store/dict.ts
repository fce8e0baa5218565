// Keyed tables without a prototype. Names come from users (a secret called `__proto__`, a bucket
// `constructor`, a parameter `toString`): on an ordinary object such a name reads an inherited member
// (the name "exists" before it was created), and assigning `__proto__` replaces the table's prototype,
// so one request poisons every other name. A table made here, or any document read from disk (see
// json-file.ts), has no prototype: every name is only itself.

/** An empty table with no prototype. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

/** A table with no prototype holding `entries`' own enumerable properties (`__proto__` included). */
export function dictOf<T>(entries: Record<string, T> | undefined): Record<string, T> {
  const out = dict<T>()
  if (entries) for (const k of Object.keys(entries)) out[k] = entries[k]!
  return out
}

/** JSON.parse reviver: every object of the document becomes a table with no prototype. */
export function dictReviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  return dictOf(value as Record<string, unknown>)
}

/** A deep copy of a JSON-like value whose objects have no prototype. */
export function toDicts<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => toDicts(v)) as T
  const out = dict<unknown>()
  for (const k of Object.keys(value)) out[k] = toDicts((value as Record<string, unknown>)[k])
  return out as T
}

/** The own member `key` of `table`, never an inherited one (for tables that may have a prototype). */
export function own<T>(table: Record<string, T> | undefined, key: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined
}
