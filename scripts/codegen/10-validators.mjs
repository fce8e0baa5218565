// Precompiles the JSON Schemas in schemas/ into standalone ajv validators (compiling at start-up
// costs ~250 ms; the generated module loads in a few). Output: src/manifest/validators.generated.js
// (git-ignored; its types are in the committed validators.generated.d.ts).
import Ajv from 'ajv'
import {transformSync} from 'esbuild'
import standaloneCode from 'ajv/dist/standalone/index.js'
import {readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = join(root, 'schemas')
const ajv = new Ajv.default({allErrors: true, verbose: false, messages: false, strict: false, inlineRefs: false, code: {source: true, esm: true, optimize: 1}})
const exportsMap = {}
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
const schemas = files.map((f) => forValidation(JSON.parse(readFileSync(join(dir, f), 'utf8'))))

// Each schema file is self-contained for editors, so they repeat the shared definitions. Compiled
// once each in a common schema, the generated module is a fraction of the size (and loads faster).
const COMMON = 'https://pier.dev/schemas/common.json'
const common = {}
const conflicting = new Set()
for (const s of schemas) {
  for (const [k, v] of Object.entries(s.$defs ?? {})) {
    if (k in common && JSON.stringify(common[k]) !== JSON.stringify(v)) conflicting.add(k)
    else common[k] = v
  }
}
for (const k of conflicting) delete common[k]
const rewrite = (node) => {
  if (Array.isArray(node)) return node.map(rewrite)
  if (!node || typeof node !== 'object') return node
  const out = {}
  for (const [k, v] of Object.entries(node)) {
    const name = k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? v.slice('#/$defs/'.length) : undefined
    out[k] = name !== undefined && name in common ? `${COMMON}#/$defs/${name}` : rewrite(v)
  }
  return out
}
ajv.addSchema({$id: COMMON, $defs: Object.fromEntries(Object.entries(common).map(([k, v]) => [k, rewrite(v)]))})
for (const [i, file] of files.entries()) {
  const s = schemas[i]
  const $defs = Object.fromEntries(Object.entries(s.$defs ?? {}).filter(([k]) => !(k in common)))
  ajv.addSchema(rewrite({...s, $defs}))
  exportsMap[file.replace(/\.json$/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = s.$id
}
// The engine validates manifests after the merge, when `environments` is gone, so the validators
// leave out the override schemas that exist for editors (they would double the generated code).
function forValidation(schema) {
  if (!schema.properties?.environments) return schema
  const {environments, ...properties} = schema.properties
  const $defs = Object.fromEntries(Object.entries(schema.$defs ?? {}).filter(([k]) => !k.startsWith('override.')))
  return {...schema, properties, $defs}
}

const code = standaloneCode.default(ajv, exportsMap)

// What error messages need from the schemas (known keys for "did you mean", expected formats,
// descriptions), read only when a manifest has errors: a JSON string parsed on demand.
const KEEP = new Set(['properties', 'additionalProperties', 'items', '$ref', '$defs', 'x-expect', 'description', 'type'])
const trim = (node) => {
  if (Array.isArray(node)) return node.map(trim)
  if (!node || typeof node !== 'object') return node
  const out = {}
  for (const [k, v] of Object.entries(node)) {
    if (!KEEP.has(k) || (k === 'additionalProperties' && typeof v !== 'object')) continue
    out[k] = k === 'properties' || k === '$defs' ? Object.fromEntries(Object.entries(v).map(([p, x]) => [p, trim(x)])) : trim(v)
  }
  return out
}
// Definitions are shared by name across the schema files (they come from one source), so once is enough.
const defs = {}
const kinds = {}
for (const [i, f] of files.entries()) {
  const {$defs = {}, ...rest} = trim(schemas[i])
  for (const [k, v] of Object.entries($defs)) {
    if (k in defs && JSON.stringify(defs[k]) !== JSON.stringify(v)) throw new Error(`definition ${k} differs between schema files`)
    defs[k] = v
  }
  kinds[f.replace(/\.json$/, '')] = rest
}
const meta = {$defs: defs, kinds}
const metaExport = `export const schemaMetaJson = ${JSON.stringify(JSON.stringify(meta))};\n`
// Minified: start-up time grows with the source V8 has to scan, and this is the largest module `validate` loads.
const {code: minified} = transformSync(`${code}\n${metaExport}`, {minify: true, format: 'esm', target: 'node20'})
writeFileSync(join(root, 'src', 'manifest', 'validators.generated.js'), `// Built by scripts/codegen/10-validators.mjs from schemas/. Do not edit.\n${minified}`)
