// Builds Pier: code generation, one esbuild pass (bundled, split ESM), then the oclif manifest.
// Bundling keeps start-up low: one file per command plus shared chunks, heavy modules in lazy chunks.
import {build} from 'esbuild'
import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const t0 = Date.now()

// 1. Code generation: every scripts/codegen/*.mjs runs in name order (e.g. precompiled ajv validators).
const codegenDir = join(root, 'scripts', 'codegen')
if (existsSync(codegenDir)) {
  for (const f of readdirSync(codegenDir).filter((f) => f.endsWith('.mjs')).sort()) {
    execFileSync(process.execPath, [join(codegenDir, f)], {stdio: 'inherit', cwd: root})
  }
}

// 2. Bundle. Entry points: every command file, the CLI entry, and the local control plane's own entry.
function walk(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return walk(p)
    return /\.tsx?$/.test(name) && !/\.(test|spec|d)\.tsx?$/.test(name) ? [p] : []
  })
}
const entryPoints = [
  ...walk(join(root, 'src', 'commands')),
  join(root, 'src', 'index.ts'),
  ...['local/main.ts'].map((p) => join(root, 'src', p)).filter(existsSync),
]
// The AWS SDK ships CommonJS (one file per service, every operation in it) and ES modules (one file
// per operation). Bundling the ES modules lets esbuild keep only the commands src/aws/sdk/ names:
// less code for Node to load on every command that calls AWS. Only these scopes are redirected; other
// packages keep Node's resolution (some name browser builds in "module").
const esmScopes = /^(@aws-sdk|@smithy|@aws-crypto|@aws)\/[^/]+$/
const sdkModules = {
  name: 'sdk-es-modules',
  setup(b) {
    b.onResolve({filter: esmScopes}, (args) => {
      const dir = join(root, 'node_modules', args.path)
      const pkgFile = join(dir, 'package.json')
      if (!existsSync(pkgFile)) return undefined
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'))
      if (pkg.exports || typeof pkg.module !== 'string') return undefined
      return {path: join(dir, pkg.module)}
    })
  },
}

rmSync(join(root, 'dist'), {recursive: true, force: true})
await build({
  plugins: [sdkModules],
  entryPoints,
  outdir: join(root, 'dist'),
  outbase: join(root, 'src'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  // ink probes for react-devtools-core only when DEV is set; it is not a dependency.
  external: ['react-devtools-core'],
  banner: {
    js: "import {createRequire as __pierCreateRequire} from 'node:module'; const require = __pierCreateRequire(import.meta.url);",
  },
  define: {'process.env.NODE_ENV': '"production"'},
})

// 3. The oclif manifest lets `--help` and command lookup skip importing command modules.
execFileSync(process.execPath, [join(root, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  cwd: root,
})
console.error(`built ${entryPoints.length} entry points in ${Date.now() - t0} ms (${relative(root, join(root, 'dist'))}/)`)
