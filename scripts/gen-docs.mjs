// Generates the reference docs from the sources of truth: docs/commands.md from the oclif manifest
// (run `npm run build` first) and docs/manifest-reference.md from the JSON Schemas in schemas/.
// `--check` exits 1 when a committed file differs from what would be generated.
import {existsSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {parse as parseYaml} from 'yaml'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const check = process.argv.includes('--check')

function commandsDoc() {
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const topics = pkg.oclif?.topics ?? {}
  const ids = Object.keys(manifest.commands).filter((id) => !manifest.commands[id].hidden).sort()
  const out = ['# Command reference', '', 'Generated from the commands themselves by `npm run docs`; do not edit by hand.', '']
  const byTopic = new Map()
  for (const id of ids) {
    const topic = id.includes(':') ? id.split(':')[0] : ''
    if (!byTopic.has(topic)) byTopic.set(topic, [])
    byTopic.get(topic).push(id)
  }
  out.push('| command | summary |', '|---|---|')
  for (const id of ids) {
    const c = manifest.commands[id]
    const name = `pier ${id.replaceAll(':', ' ')}`
    out.push(`| [\`${name}\`](#${name.replaceAll(' ', '-')}) | ${(c.summary ?? c.description ?? '').split('\n')[0].replaceAll('|', '\\|')} |`)
  }
  out.push('')
  for (const [topic, list] of byTopic) {
    if (topic) out.push(`## ${topic}`, '', topics[topic]?.description ?? topics[topic] ?? '', '')
    for (const id of list) {
      const c = manifest.commands[id]
      const name = `pier ${id.replaceAll(':', ' ')}`
      out.push(`### ${name}`, '')
      if (c.summary) out.push(c.summary, '')
      if (c.description && c.description !== c.summary) out.push(c.description, '')
      const args = Object.values(c.args ?? {})
      const usage = [name, ...args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)), Object.keys(c.flags ?? {}).length ? '[flags]' : ''].filter(Boolean).join(' ')
      out.push('```', usage, '```', '')
      const flags = Object.values(c.flags ?? {}).filter((f) => !f.hidden).sort((a, b) => a.name.localeCompare(b.name))
      if (flags.length) {
        out.push('| flag | value | default | description |', '|---|---|---|---|')
        for (const f of flags) {
          const flag = `${f.char ? `\`-${f.char}\`, ` : ''}\`--${f.name}\``
          const value = f.type === 'boolean' ? '' : f.options ? f.options.join(' \\| ') : (f.helpValue ?? 'value')
          const dflt = f.default === undefined || f.default === false ? '' : `\`${JSON.stringify(f.default)}\``
          out.push(`| ${flag} | ${value} | ${dflt} | ${(f.summary ?? f.description ?? '').replaceAll('\n', ' ').replaceAll('|', '\\|')}${f.required ? ' (required)' : ''} |`)
        }
        out.push('')
      }
      const examples = (c.examples ?? []).map((e) => (typeof e === 'string' ? e : `${e.command}`).replaceAll('<%= config.bin %>', 'pier').replaceAll('<%= command.id %>', id.replaceAll(':', ' ')))
      if (examples.length) out.push('Examples:', '', '```sh', ...examples, '```', '')
    }
  }
  return out.join('\n')
}

function resolveRef(schema, ref, rootSchema) {
  if (!ref?.startsWith('#/')) return schema
  return ref
    .slice(2)
    .split('/')
    .reduce((node, key) => node?.[key], rootSchema)
}

function typeOf(s, rootSchema) {
  if (!s) return ''
  if (s.$ref) return typeOf(resolveRef(s, s.$ref, rootSchema), rootSchema)
  const alts = s.oneOf ?? s.anyOf
  if (alts) return [...new Set(alts.map((a) => typeOf(a, rootSchema)))].join(' or ')
  if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(', ')
  if (s.const !== undefined) return JSON.stringify(s.const)
  if (s.type === 'array') return `list of ${typeOf(s.items, rootSchema) || 'values'}`
  if (Array.isArray(s.type)) return s.type.join(' or ')
  if (s.type === 'object' && !s.properties && s.additionalProperties) return `map of ${typeOf(s.additionalProperties, rootSchema) || 'values'}`
  return s.type ?? (s.properties ? 'object' : '')
}

function walk(s, path, rootSchema, rows, depth = 0) {
  if (!s || depth > 8) return
  if (s.$ref) return walk(resolveRef(s, s.$ref, rootSchema), path, rootSchema, rows, depth + 1)
  for (const alt of s.oneOf ?? s.anyOf ?? []) {
    const r = alt.$ref ? resolveRef(alt, alt.$ref, rootSchema) : alt
    if (r?.properties) walk(r, path, rootSchema, rows, depth + 1)
  }
  if (s.type === 'array' && s.items) {
    const r = s.items.$ref ? resolveRef(s.items, s.items.$ref, rootSchema) : s.items
    if (r?.properties) walk(r, `${path}[]`, rootSchema, rows, depth + 1)
  }
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    const p = path ? `${path}.${key}` : key
    const c = child.$ref ? {...resolveRef(child, child.$ref, rootSchema), ...child} : child
    if (!rows.some((r) => r.path === p)) {
      const description = (c.description ?? '').replaceAll('\n', ' ')
      rows.push({
        path: p,
        type: typeOf(child, rootSchema),
        required: (s.required ?? []).includes(key),
        // The schema's `default`, else the default its description states ("(default 10s)").
        default: c.default ?? /\(default:? ([^)]+)\)/i.exec(description)?.[1],
        description,
        minimum: c.minimum,
        // The schema's first example, else one its description gives ("e.g. ..."), else its first allowed value.
        example: c.examples?.[0] ?? /e\.g\.,? ([^;]+?)(?:\)|\.\s|\.$|$)/.exec(description)?.[1] ?? c.enum?.[0] ?? c.const,
      })
    }
    walk(c, p, rootSchema, rows, depth + 1)
  }
}

/** Values real manifests use, by manifest type and field path: the example column's last resort. */
function examplesFromManifests() {
  const files = []
  const walkDir = (dir) => {
    if (!existsSync(dir)) return
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walkDir(p)
      else if (/\.ya?ml$/.test(name)) files.push(p)
    }
  }
  for (const dir of ['test/fixtures/copilot', 'test/golden', 'manifests']) walkDir(join(root, dir))
  const out = new Map()
  const record = (type, path, value) => {
    const key = `${type}|${path}`
    if (out.has(key) || value === null || value === undefined) return
    if (typeof value !== 'object') return void out.set(key, value)
    const json = JSON.stringify(value)
    if (json.length <= 60) out.set(key, value)
  }
  const visit = (type, node, path) => {
    if (Array.isArray(node)) {
      record(type, path, node)
      for (const item of node) if (item && typeof item === 'object' && !Array.isArray(item)) visit(type, item, `${path}[]`)
      return
    }
    if (node && typeof node === 'object') {
      if (path) record(type, path, node)
      for (const [k, v] of Object.entries(node)) {
        if (!path && k === 'environments') continue
        visit(type, v, path ? `${path}.${k}` : k)
      }
      return
    }
    record(type, path, node)
  }
  for (const f of files) {
    let doc
    try {
      doc = parseYaml(readFileSync(f, 'utf8'))
    } catch {
      continue
    }
    if (doc && typeof doc === 'object' && typeof doc.type === 'string') visit(doc.type, doc, '')
  }
  return out
}

function manifestDoc() {
  const seen = examplesFromManifests()
  const dir = join(root, 'schemas')
  const out = ['# Manifest reference', '', 'Generated from the JSON Schemas in `schemas/` by `npm run docs`; do not edit by hand. Every field, its type, default and an example. Overrides per environment follow [the override rules](manifest-overrides.md).', '']
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8'))
    out.push(`## ${schema.title ?? file}`, '', `Schema: \`schemas/${file}\`. ${schema.description ?? ''}`.trim(), '')
    const rows = []
    walk(schema, '', schema, rows)
    const type = schema.properties?.type?.const ?? schema.title
    for (const r of rows) {
      r.example ??= seen.get(`${type}|${r.path}`) ?? r.default
      // Booleans and numbers: any value of the type shows how to write it.
      if (r.example === undefined && r.type === 'boolean') r.example = true
      if (r.example === undefined && /^(integer|number)$/.test(r.type)) r.example = r.minimum ?? 1
    }
    if (rows.length === 0) continue
    out.push('| field | type | default | description | example |', '|---|---|---|---|---|')
    const cell = (v) => (v === undefined ? '' : `\`${(typeof v === 'string' ? v : JSON.stringify(v)).replaceAll('|', '\\|')}\``)
    for (const r of rows) out.push(`| \`${r.path}\`${r.required ? ' (required)' : ''} | ${r.type.replaceAll('|', '\\|')} | ${cell(r.default)} | ${r.description.replaceAll('|', '\\|')} | ${cell(r.example)} |`)
    out.push('')
  }
  return out.join('\n')
}

let stale = false
for (const [file, make, needs] of [
  ['docs/commands.md', commandsDoc, 'oclif.manifest.json'],
  ['docs/manifest-reference.md', manifestDoc, 'schemas'],
]) {
  if (!existsSync(join(root, needs))) {
    console.error(`skipped ${file}: ${needs} is missing${needs.endsWith('.json') ? ' (run npm run build)' : ''}`)
    continue
  }
  const text = make()
  const path = join(root, file)
  if (check) {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
      console.error(`${file} is out of date: run npm run docs`)
      stale = true
    }
  } else {
    writeFileSync(path, text)
    console.error(`wrote ${file}`)
  }
}
process.exit(stale ? 1 : 0)
