// The layout's rules hold over src/, and the checker catches each kind of violation (a rule that
// cannot fail would be no rule).
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {importsOf} from './architecture/imports.js'
import {checkFiles, MAX_LINES, sourceFiles} from './architecture/rules.js'

const root = join(import.meta.dirname, '..')

describe('architecture', () => {
  it('holds over every file under src/', () => {
    const files = sourceFiles(root)
    expect(files.length).toBeGreaterThan(100)
    // The imports are read (a scanner that finds none would let every rule pass).
    expect(files.flatMap((f) => importsOf(f.text)).length).toBeGreaterThan(files.length * 2)
    expect(checkFiles(files)).toEqual([])
  })

})

describe('the architecture checker', () => {
  const file = (path: string, text: string) => ({path, text})
  const rules = (path: string, text: string) => checkFiles([file(path, text)]).map((v) => v.rule)

  it('catches a layer below the shell importing src/cli', () => {
    expect(rules('src/app/x.ts', "import {reportFailure} from '../cli/errors.js'\n")).toEqual(['cli-import'])
    expect(rules('src/deploy/sub/x.ts', "export {x} from '../../cli/output.js'\n")).toEqual(['cli-import'])
    expect(rules('src/ui/x.ts', "const m = await import('../cli/prompt.js')\n")).toEqual(['cli-import'])
    expect(rules('src/commands/x.ts', "import {AwsCommand} from '../cli/aws-command.js'\n")).toEqual([])
  })

  it('catches I/O, the AWS SDK or the workspace reader in the pure core', () => {
    expect(rules('src/manifest/x.ts', "import {readFileSync} from 'node:fs'\n")).toEqual(['impure-core'])
    expect(rules('src/render/x.ts', "import {spawn} from 'child_process'\n")).toEqual(['impure-core'])
    expect(rules('src/render/x.ts', "import {request} from 'node:https'\n")).toEqual(['impure-core'])
    expect(rules('src/manifest/x.ts', "import type {ECS} from '@aws-sdk/client-ecs'\n")).toEqual(['impure-core'])
    expect(rules('src/render/env/x.ts', "import {loadWorkspace} from '../../workspace/find.js'\n")).toEqual(['impure-core'])
    expect(rules('src/render/x.ts', "import {join} from 'node:path'\nimport {parse} from 'yaml'\n")).toEqual([])
  })

  it('catches the local control plane importing outside src/local and src/exec', () => {
    expect(rules('src/local/ecs/x.ts', "import {UserError} from '../../errors.js'\n")).toEqual(['local-outside'])
    expect(rules('src/local/x.ts', "import {renderWorkloadStack} from '../render/index.js'\n")).toEqual(['local-outside'])
    expect(rules('src/local/agent/x.ts', "import {encode} from '../../exec/codec.js'\nimport {createServer} from 'node:http'\nimport {x} from './y.js'\n")).toEqual([])
  })

  it('catches a file past the line limit', () => {
    const long = 'export const a = 1\n'.repeat(MAX_LINES + 1)
    expect(rules('src/app/long.ts', long)).toEqual(['too-long'])
    expect(rules('src/app/long.ts', 'export const a = 1\n'.repeat(MAX_LINES))).toEqual([])
  })
})

describe('reading imports', () => {
  it('finds static, type-only, re-exported, side-effect, dynamic and required modules', () => {
    const text = [
      "import a from 'a'",
      "import type {B} from './b.js'",
      'import {',
      '  c,',
      '  type D,',
      "} from '../c.js'",
      "export * from './e.js'",
      "export {f} from './f.js'",
      "import './g.js'",
      "const h = await import('./h.js')",
      "const i = require('i')",
    ].join('\n')
    expect(importsOf(text)).toEqual(['a', './b.js', '../c.js', './e.js', './f.js', './g.js', './h.js', 'i'])
  })

  it('ignores comments, strings, template literals and regular expressions', () => {
    const text = [
      "// import x from 'commented'",
      "/* import y from 'block' */",
      "const arn = 'arn:aws:ssm:*:*:parameter/*'",
      "const s = \"from 'not-a-module'\"",
      "const t = `import z from 'template' ${name} from 'x'`",
      "const r = /from '[^']*'/",
      "const n = Array.from('abc')",
      "import real from './real.js' // */",
    ].join('\n')
    expect(importsOf(text)).toEqual(['./real.js'])
  })
})
