import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {formatDiagnostics, resolveEnvironmentText, resolveWorkloadText} from '../../src/manifest/index.js'

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'mistakes', name), 'utf8')
const resolve = (text: string, env?: string, vars: Record<string, string> = {}) =>
  resolveWorkloadText({file: 'copilot/web/manifest.yml', text, app: 'demo', environments: ['test', 'prod'], vars, ...(env ? {env} : {})})

describe('diagnostics', () => {
  it('reports every mistake of a manifest at once, each at its line and column', () => {
    const r = resolve(fixture('ten.yml'), 'prod')
    expect(r.ok).toBe(false)
    expect(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code} ${d.path}`)).toMatchInlineSnapshot(`
      [
        "2:7 error missing-field type",
        "6:3 error exclusive-fields image.location",
        "9:15 error out-of-range image.healthcheck.interval",
        "11:1 warning unknown-key htp",
        "17:10 error count-range count.range",
        "19:3 error exclusive-fields count.spot",
        "21:7 error wrong-type exec",
        "22:11 error invalid-value platform",
        "24:8 error undefined-variable variables.URL",
        "29:11 error port-conflict sidecars.proxy.port",
        "31:14 error unknown-reference sidecars.proxy.depends_on.cache",
        "35:13 error fargate-size memory",
        "36:3 warning unknown-environment environments.staging",
      ]
    `)
    expect(formatDiagnostics(r.diagnostics)).toMatchSnapshot()
  })

  it('points an error found after the merge at the override that produced it', () => {
    const text = 'name: web\ntype: Backend Service\nimage: {location: x}\ncpu: 256\nmemory: 512\nenvironments:\n  prod:\n    memory: 4096\n'
    const prod = resolve(text, 'prod')
    expect(prod.diagnostics).toHaveLength(1)
    expect(prod.diagnostics[0]).toMatchObject({line: 8, col: 13, code: 'fargate-size', path: 'memory', env: 'prod'})
    expect(resolve(text, 'test').ok).toBe(true)
  })

  it('points at the base when the override did not touch the field', () => {
    const text = 'name: web\ntype: Backend Service\nimage: {location: x}\ncpu: 300\nenvironments:\n  prod:\n    memory: 1024\n'
    const r = resolve(text, 'prod')
    expect(r.diagnostics[0]).toMatchObject({line: 4, col: 6, code: 'fargate-size', path: 'cpu'})
    expect(r.diagnostics[0]!.env).toBeUndefined()
  })

  it('suggests the field meant by an unknown key', () => {
    const r = resolve('name: web\ntype: Backend Service\nimage:\n  locaton: nginx\n')
    const d = r.diagnostics.find((x) => x.code === 'unknown-key')!
    expect(d).toMatchObject({line: 4, col: 3, path: 'image.locaton', hint: 'Did you mean `location`?'})
  })

  it('turns YAML syntax errors into located diagnostics', () => {
    const r = resolve('name: web\ntype: Backend Service\nimage:\n  location: [nginx\ncpu: 256\n')
    expect(r.ok).toBe(false)
    expect(r.diagnostics[0]!.code).toBe('yaml-syntax')
    expect(r.diagnostics).toHaveLength(1)
    expect(r.diagnostics[0]!.line).toBeGreaterThan(3)
  })

  it('reports duplicate keys', () => {
    const r = resolve('name: web\ntype: Backend Service\ncpu: 256\ncpu: 512\nimage: {location: x}\n')
    expect(r.diagnostics.map((d) => [d.code, d.line])).toEqual([['duplicate-key', 4]])
  })

  it('reports an undefined variable at its use, and interpolates defined ones', () => {
    const text = 'name: web\ntype: Backend Service\nimage:\n  location: "repo/${COPILOT_APPLICATION_NAME}:${TAG}"\nvariables:\n  ENV: ${COPILOT_ENVIRONMENT_NAME}\n  LIT: \\${NOT_A_VAR}\ncommand: ${CMD}\n'
    const bad = resolve(text, 'prod')
    expect(bad.diagnostics.map((d) => [d.code, d.line, d.col, d.path])).toEqual([['undefined-variable', 4, 47, 'image.location'], ['undefined-variable', 8, 10, 'command']])
    const good = resolve(text, 'prod', {TAG: 'v1', CMD: '["node","server.js"]'})
    expect(good.ok).toBe(true)
    expect(good.manifest).toMatchObject({image: {location: 'repo/demo:v1'}, variables: {ENV: 'prod', LIT: '${NOT_A_VAR}'}, command: ['node', 'server.js']})
  })

  it('warns about YAML tags it does not know, and reads !unset', () => {
    const r = resolve('name: web\ntype: Backend Service\nimage:\n  location: !secret x\ncpu: !unset\n')
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.line])).toEqual([['unknown-tag', 'warning', 4]])
    expect((r.manifest as {cpu?: number}).cpu).toBe(256)
  })

  it('types unquoted interpolated numbers', () => {
    const r = resolve('name: web\ntype: Backend Service\nimage:\n  location: x\n  port: ${PORT}\n', 'prod', {PORT: '8080'})
    expect(r.ok).toBe(true)
    expect((r.manifest as any).image.port).toBe(8080)
  })

  it('warns about overrides for environments the workspace does not have', () => {
    const r = resolve('name: web\ntype: Backend Service\nimage: {location: x}\nenvironments:\n  prdo: {cpu: 512}\n', 'prod')
    expect(r.ok).toBe(true)
    expect(r.diagnostics).toMatchObject([{severity: 'warning', code: 'unknown-environment', line: 5, col: 3}])
  })

  it('names an unknown workload type and suggests the closest', () => {
    const r = resolve('name: web\ntype: Backend Svc\n')
    expect(r.diagnostics).toMatchObject([{code: 'unknown-type', line: 2, hint: 'Did you mean "Backend Service"?'}])
  })

  it('says an empty manifest is empty', () => {
    expect(resolve('').diagnostics).toMatchObject([{code: 'not-a-mapping'}])
  })

  it('validates environment manifests', () => {
    const r = resolveEnvironmentText({file: 'copilot/environments/test/manifest.yml', text: 'name: test\ntype: Environment\nnetwork:\n  vpc:\n    id: vpc-1\n    cidr: 10.0.0.0/16\nobservability: {container_insight: true}\n', app: 'demo', env: 'test', environments: ['test'], vars: {}})
    expect(r.diagnostics.map((d) => [d.code, d.line, d.hint])).toEqual([
      ['exclusive-fields', 6, 'Remove `cidr`, or remove `id` to have Pier create the VPC.'],
      ['unknown-key', 7, 'Did you mean `container_insights`?'],
    ])
  })
})

describe('code frames and ordering', () => {
  it('a frame shows two lines before and one after, tabs as spaces, and a caret kept within the line', async () => {
    const {codeFrame} = await import('../../src/manifest/diagnostics.js')
    expect(codeFrame('a\nb\nc\n\tdd\ne\nf', 4, 2, 2)).toBe(['  2 | b', '  3 | c', '> 4 |  dd', '    |  ^^', '  5 | e'].join('\n'))
    expect(codeFrame('ab\ncd', 1, 10)).toBe(['> 1 | ab', '    |   ^', '  2 | cd'].join('\n'))
    expect(codeFrame('ab', 1, 1, 0)).toBe(['> 1 | ab', '    | ^'].join('\n'))
    expect(codeFrame('ab\ncd', 0, 1)).toBe('')
    expect(codeFrame('ab\ncd', 3, 1)).toBe('')
    expect(codeFrame('ab\ncd', 2, 1)).toBe(['  1 | ab', '> 2 | cd', '    | ^'].join('\n'))
  })

  it('diagnostics are ordered by file, line, column and code, and exact repeats dropped', async () => {
    const {sortAndDedupe} = await import('../../src/manifest/diagnostics.js')
    const d = (file: string, line: number, col: number, code: string, message = 'm') => ({file, line, col, code, message, severity: 'error' as const, path: ''})
    const out = sortAndDedupe([d('b', 1, 1, 'x'), d('a', 2, 1, 'x'), d('a', 1, 5, 'y'), d('a', 1, 5, 'x'), d('a', 1, 2, 'x'), d('a', 1, 5, 'x'), d('a', 1, 5, 'x', 'other')])
    expect(out.map((x) => `${x.file}:${x.line}:${x.col} ${x.code} ${x.message}`)).toEqual([
      'a:1:2 x m', 'a:1:5 x m', 'a:1:5 x other', 'a:1:5 y m', 'a:2:1 x m', 'b:1:1 x m',
    ])
  })
})
