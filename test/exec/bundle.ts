// Bundles a TypeScript entry into one runnable .mjs for tests that need a separate process.
import {build} from 'esbuild'
import {join} from 'node:path'

export async function bundle(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'entry.mjs')
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    external: ['bufferutil', 'utf-8-validate'],
    banner: {js: "import {createRequire as __r} from 'node:module'; const require = __r(import.meta.url);"},
  })
  return outfile
}
