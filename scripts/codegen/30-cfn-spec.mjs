// Embeds the CloudFormation resource specification, reduced to what `pier validate` checks in addon
// templates (each type's property names, required properties and attribute names), into
// src/addons/cfn-spec.generated.ts. The source is the devDependency @aws-cdk/aws-service-spec; its full
// database takes seconds to load, so the reduced form is cached in the temp directory per version.
import {createRequire} from 'node:module'
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const require = createRequire(join(root, 'package.json'))
const version = require('@aws-cdk/aws-service-spec/package.json').version
const cache = join(tmpdir(), `pier-cfn-resource-names-${version}.json`)

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
    spec[r.cloudFormationType] = [props.join(' '), props.filter((k) => r.properties[k].required).join(' '), Object.keys(r.attributes).sort().join(' ')]
  }
  const tmp = `${cache}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(spec))
  renameSync(tmp, cache)
}
writeFileSync(
  join(root, 'src', 'addons', 'cfn-spec.generated.ts'),
  `// Generated from @aws-cdk/aws-service-spec ${version} by scripts/codegen/30-cfn-spec.mjs. Do not edit.\n` +
    `// Type -> [property names, required property names, attribute names], each space-separated.\n\n` +
    `export const CFN_SPEC_VERSION = ${JSON.stringify(version)}\nexport const CFN_RESOURCES: Record<string, [string, string, string]> = ${JSON.stringify(spec)}\n`,
)
