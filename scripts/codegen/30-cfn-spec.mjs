// Embeds the CloudFormation resource specification, reduced to what `pier validate` checks in addon
// templates (each type's property names, required properties and attribute names), into
// src/addons/cfn-spec.generated.ts; and the create-only properties (an update replaces the resource) of
// the types the takeover of a Copilot stack guards (src/deploy/stateful-types.ts, plus IAM roles, some
// of which are guarded by logical ID) into src/deploy/replacement.generated.ts. The source is the devDependency @aws-cdk/aws-service-spec; its full
// database takes seconds to load, so the reduced form is cached in the temp directory per version.
import {createRequire} from 'node:module'
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const require = createRequire(join(root, 'package.json'))
const version = require('@aws-cdk/aws-service-spec/package.json').version
const cache = join(tmpdir(), `pier-cfn-resource-names-v2-${version}.json`)

let spec
if (existsSync(cache)) {
  try {
    spec = JSON.parse(readFileSync(cache, 'utf8'))
  } catch {
    spec = undefined
  }
}
if (!spec) {
  const {loadAwsServiceSpecSync} = require('@aws-cdk/aws-service-spec')
  const db = loadAwsServiceSpecSync()
  spec = {}
  for (const r of [...db.all('resource')].sort((a, b) => a.cloudFormationType.localeCompare(b.cloudFormationType))) {
    const props = Object.keys(r.properties).sort()
    // 'maybe' (a conditional replacement) counts: the takeover must not risk it either.
    const createOnly = props.filter((k) => (r.properties[k].causesReplacement ?? 'no') !== 'no')
    spec[r.cloudFormationType] = [props.join(' '), props.filter((k) => r.properties[k].required).join(' '), Object.keys(r.attributes).sort().join(' '), createOnly.join(' ')]
  }
  const tmp = `${cache}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(spec))
  renameSync(tmp, cache)
}
const guarded = [...readFileSync(join(root, 'src', 'deploy', 'stateful-types.ts'), 'utf8').matchAll(/'(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)'/g)].map((m) => m[1])
if (guarded.length < 10) throw new Error('src/deploy/stateful-types.ts lists no resource types: the create-only properties cannot be generated')
const createOnly = {}
for (const type of [...new Set([...guarded, 'AWS::IAM::Role'])].sort()) {
  if (!spec[type]) throw new Error(`src/deploy/stateful-types.ts names ${type}, which the resource specification does not know`)
  createOnly[type] = spec[type][3] ? spec[type][3].split(' ') : []
}
writeFileSync(
  join(root, 'src', 'deploy', 'replacement.generated.ts'),
  `// Generated from @aws-cdk/aws-service-spec ${version} by scripts/codegen/30-cfn-spec.mjs. Do not edit.\n` +
    `// Type -> the properties whose change replaces the resource, for the types a takeover guards.\n\n` +
    `export const CREATE_ONLY_PROPERTIES: Record<string, readonly string[]> = ${JSON.stringify(createOnly, null, 1)}\n`,
)
const forAddons = Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, v.slice(0, 3)]))
writeFileSync(
  join(root, 'src', 'addons', 'cfn-spec.generated.ts'),
  `// Generated from @aws-cdk/aws-service-spec ${version} by scripts/codegen/30-cfn-spec.mjs. Do not edit.\n` +
    `// Type -> [property names, required property names, attribute names], each space-separated.\n\n` +
    `export const CFN_SPEC_VERSION = ${JSON.stringify(version)}\nexport const CFN_RESOURCES: Record<string, [string, string, string]> = ${JSON.stringify(forAddons)}\n`,
)
