// Random mutations of manifest text for property tests: wrong types, renamed/unknown/duplicated
// keys, broken YAML syntax. Exported so a reliability run can use many more runs than the suite
// (PIER_PROPERTY_RUNS=10000 npx vitest run test/manifest/property.test.ts).
import fc from 'fast-check'

export type Mutation =
  | {kind: 'insert'; at: number; text: string}
  | {kind: 'delete'; at: number; length: number}
  | {kind: 'replace-value'; line: number; value: string}
  | {kind: 'rename-key'; line: number; suffix: string}
  | {kind: 'duplicate-line'; line: number}
  | {kind: 'indent'; line: number; by: number}

const VALUES = ['0', '-1', '1.5', '99999999999', 'true', 'false', 'null', '~', '""', "''", '[]', '{}', '[a, 1, {b: c}]', '{x: 1}',
  'yes please', '!unset', '${UNDEFINED_X}', '\\${ESCAPED}', '${COPILOT_ENVIRONMENT_NAME}', '"${COPILOT_APPLICATION_NAME}"', '&anchor 1', '*anchor',
  '1h30m', '@every 1m', '10-2', 'linux/arm64', '256', '1024', '"0 */2 * * *"', '|\n  block', '- item', 'a: b: c', '"unterminated', '\t', '!!binary x']
const SNIPPETS = [':', ': ', '\n', '\n  ', '  ', '- ', '[', ']', '{', '}', '"', "'", '#', '&a ', '*a', '!unset ', '${', '}', '\t', '---\n', '? ', '|', '>', ',', '%YAML 1.2\n']

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({maxLength: 8}))}),
  fc.record({kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({min: 1, max: 12})}),
  fc.record({kind: fc.constant('replace-value' as const), line: fc.nat(), value: fc.oneof(fc.constantFrom(...VALUES), fc.string({maxLength: 10}))}),
  fc.record({kind: fc.constant('rename-key' as const), line: fc.nat(), suffix: fc.constantFrom('s', 'x', '_', '-', 'e', '')}),
  fc.record({kind: fc.constant('duplicate-line' as const), line: fc.nat()}),
  fc.record({kind: fc.constant('indent' as const), line: fc.nat(), by: fc.integer({min: -4, max: 4})}),
)

export function applyMutation(text: string, m: Mutation): string {
  const lines = text.split('\n')
  const li = lines.length === 0 ? 0 : ('line' in m ? m.line % lines.length : 0)
  switch (m.kind) {
    case 'insert': {
      const at = m.at % (text.length + 1)
      return text.slice(0, at) + m.text + text.slice(at)
    }
    case 'delete': {
      const at = m.at % (text.length + 1)
      return text.slice(0, at) + text.slice(at + m.length)
    }
    case 'replace-value': {
      const line = lines[li] ?? ''
      const colon = line.indexOf(': ')
      lines[li] = colon >= 0 ? `${line.slice(0, colon + 2)}${m.value}` : line.replace(/^(\s*-\s*).*/, `$1${m.value}`)
      return lines.join('\n')
    }
    case 'rename-key': {
      lines[li] = (lines[li] ?? '').replace(/^(\s*)([A-Za-z_][\w-]*)(\s*:)/, (_, ws: string, key: string, colon: string) => `${ws}${m.suffix === '' ? key.slice(0, -1) : key + m.suffix}${colon}`)
      return lines.join('\n')
    }
    case 'duplicate-line':
      lines.splice(li, 0, lines[li] ?? '')
      return lines.join('\n')
    case 'indent': {
      const line = lines[li] ?? ''
      lines[li] = m.by >= 0 ? ' '.repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), '')
      return lines.join('\n')
    }
  }
}

/** An arbitrary mutated version of one of the given manifests. */
export function mutatedManifestArb(manifests: readonly string[]): fc.Arbitrary<{original: number; text: string}> {
  return fc.record({original: fc.nat({max: manifests.length - 1}), mutations: fc.array(mutationArb, {minLength: 1, maxLength: 5})})
    .map(({original, mutations}) => ({original, text: mutations.reduce(applyMutation, manifests[original]!)}))
}
