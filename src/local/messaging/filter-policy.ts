// SNS subscription filter policies: which messages a subscription receives, matched against the
// message attributes (the default scope) or the JSON message body.

type Rule = string | number | boolean | null | Record<string, unknown>

function matchOne(rule: Rule, value: unknown, present: boolean): boolean {
  if (rule === null || typeof rule !== 'object') return present && (Array.isArray(value) ? value.includes(rule) : value === rule || String(value) === String(rule))
  if ('exists' in rule) return rule.exists === present
  if (!present) return false
  const values = Array.isArray(value) ? value : [value]
  if ('prefix' in rule) return values.some((v) => typeof v === 'string' && v.startsWith(String(rule.prefix)))
  if ('suffix' in rule) return values.some((v) => typeof v === 'string' && v.endsWith(String(rule.suffix)))
  if ('equals-ignore-case' in rule) return values.some((v) => String(v).toLowerCase() === String(rule['equals-ignore-case']).toLowerCase())
  if ('anything-but' in rule) {
    const but = rule['anything-but']
    const list = Array.isArray(but) ? but : typeof but === 'object' && but !== null && 'prefix' in but ? null : [but]
    if (list === null) return values.every((v) => !String(v).startsWith(String((but as {prefix: string}).prefix)))
    return values.every((v) => !list.some((b) => String(b) === String(v)))
  }
  if ('numeric' in rule) {
    const ops = rule.numeric as (string | number)[]
    return values.some((v) => {
      const n = Number(v)
      if (!Number.isFinite(n)) return false
      for (let i = 0; i < ops.length; i += 2) {
        const op = ops[i]
        const x = Number(ops[i + 1])
        const ok = op === '=' ? n === x : op === '<' ? n < x : op === '<=' ? n <= x : op === '>' ? n > x : op === '>=' ? n >= x : false
        if (!ok) return false
      }
      return true
    })
  }
  return false
}

function matchKey(rules: unknown, value: unknown, present: boolean): boolean {
  if (Array.isArray(rules)) return rules.some((r) => matchOne(r as Rule, value, present))
  if (rules !== null && typeof rules === 'object') {
    // Nested policy (message body scope).
    const obj = (value ?? {}) as Record<string, unknown>
    return Object.entries(rules).every(([k, r]) => matchKey(r, obj[k], present && k in obj))
  }
  return matchOne(rules as Rule, value, present)
}

/** Whether a message passes a filter policy. `$or` is supported at the top level. */
export function passesFilter(policy: Record<string, unknown> | undefined, scope: 'MessageAttributes' | 'MessageBody', attributes: Record<string, {DataType: string; StringValue?: string}>, body: string): boolean {
  if (!policy || Object.keys(policy).length === 0) return true
  if (Array.isArray(policy.$or)) return (policy.$or as Record<string, unknown>[]).some((p) => passesFilter(p, scope, attributes, body))
  if (scope === 'MessageBody') {
    let doc: unknown
    try {
      doc = JSON.parse(body)
    } catch {
      return false
    }
    return matchKey(policy, doc, true)
  }
  return Object.entries(policy).every(([k, rules]) => {
    const a = attributes[k]
    let value: unknown = a?.StringValue
    if (a?.DataType.startsWith('String.Array')) {
      try {
        value = JSON.parse(a.StringValue ?? '[]')
      } catch {
        value = a.StringValue
      }
    }
    if (a?.DataType.startsWith('Number')) value = Number(a.StringValue)
    return matchKey(rules, value, a !== undefined)
  })
}
