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

// The addon templates `pier storage init` writes (templates/addons/*.yml), kept as text: their comments
// are part of what the user gets.
const addonsDir = join(dir, 'addons')
const addons = readdirSync(addonsDir)
  .filter((f) => f.endsWith('.yml'))
  .sort()
  .map((f) => `  ${JSON.stringify(f)}: ${JSON.stringify(readFileSync(join(addonsDir, f), 'utf8'))},\n`)
writeFileSync(
  join(root, 'src', 'addons', 'storage-fragments.generated.ts'),
  `// Generated from templates/addons/*.yml by scripts/codegen/20-templates.mjs. Do not edit.\n\nexport const storageFragments: Record<string, string> = {\n${addons.join('')}}\n`,
)
