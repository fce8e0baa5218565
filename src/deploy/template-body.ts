// Reads a deployed template's body as data: JSON, or YAML with CloudFormation's short-form tags
// (`!Ref`, `!Sub`, `!GetAtt a.b` ...), as Copilot writes its templates.
import {parse, type ScalarTag, type CollectionTag} from 'yaml'

const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'If', 'Equals', 'And', 'Or', 'Not', 'Condition', 'Ref', 'GetAtt']

function longName(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`
}

function getAtt(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const dot = value.indexOf('.')
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)]
}

const TAGS: (ScalarTag | CollectionTag)[] = FUNCTIONS.flatMap((name) => {
  const key = longName(name)
  const wrap = (v: unknown) => ({[key]: name === 'GetAtt' ? getAtt(v) : v})
  return [
    {tag: `!${name}`, resolve: (s: string) => wrap(s)} as ScalarTag,
    {tag: `!${name}`, collection: 'seq', resolve: (seq: {toJSON(): unknown}) => wrap(seq.toJSON())} as unknown as CollectionTag,
    {tag: `!${name}`, collection: 'map', resolve: (map: {toJSON(): unknown}) => wrap(map.toJSON())} as unknown as CollectionTag,
  ]
})

export function parseTemplateBody(body: string): Record<string, any> {
  const trimmed = body.trimStart()
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(body) as Record<string, any>
    } catch {
      // YAML is a superset of JSON's flow style; fall through.
    }
  }
  return parse(body, {customTags: TAGS, maxAliasCount: 100}) as Record<string, any>
}
