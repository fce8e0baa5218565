// Embeds the CloudFormation fragments in templates/*.json into src/render/fragments.generated.ts, so the
// renderer uses them without reading files at run time.
import {readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = join(root, 'templates')
const entries = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => {
    const name = f.replace(/\.json$/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase())
    return `export const ${name} = ${JSON.stringify(JSON.parse(readFileSync(join(dir, f), 'utf8')), null, 2)} as const\n`
  })
writeFileSync(
  join(root, 'src', 'render', 'fragments.generated.ts'),
  `// Generated from templates/*.json by scripts/codegen/20-templates.mjs. Do not edit.\n\n${entries.join('\n')}`,
)
