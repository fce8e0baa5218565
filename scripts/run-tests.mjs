// Runs the whole vitest suite, then prints one closing line with the counts, and exits with vitest's code.
import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'

const out = 'test-results.json'
rmSync(out, {force: true})
const r = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...process.argv.slice(2)], {stdio: 'inherit'})
spawnSync(process.execPath, ['scripts/test-summary.mjs', out], {stdio: 'inherit'})
process.exit(r.status ?? 1)
