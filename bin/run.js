#!/usr/bin/env node
// `pier --version` answers before loading oclif (it is the most common health check in scripts);
// everything else goes through the bundled CLI.
const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const {readFileSync} = await import('node:fs')
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`pier/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {run} = await import('../dist/index.js')
  await run(import.meta.url)
}
