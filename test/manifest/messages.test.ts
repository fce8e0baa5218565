// The exact words, hints and positions a user reads when a manifest is refused or read with a warning:
// every kind of schema problem, a broken or empty file, a wrong type, a name that differs from its
// directory, and which workload types deploy.
import {describe, expect, it} from 'vitest'

import {formatDiagnostics, isDeployableType, resolveEnvironmentText, resolveWorkloadText} from '../../src/manifest/index.js'

type Input = {env?: string; vars?: Record<string, string>; expectedName?: string; strict?: boolean; environments?: string[]}

function workload(text: string, opts: Input = {}) {
  return resolveWorkloadText({file: 'copilot/web/manifest.yml', text, app: 'demo', environments: ['test', 'prod'], vars: {}, ...opts})
}

function environment(text: string, opts: Input = {}) {
  return resolveEnvironmentText({file: 'copilot/environments/test/manifest.yml', text, app: 'demo', environments: ['test'], vars: {}, ...opts})
}

/** What a user reads for each diagnostic: position, severity, code, field, message and hint. */
const lines = (r: {diagnostics: {line: number; col: number; severity: string; code: string; path: string; message: string; hint?: string}[]}) =>
  r.diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code} ${d.path} | ${d.message} | ${d.hint ?? '-'}`)

const BACKEND = 'name: web\ntype: Backend Service\nimage: {location: nginx}\n'
const LBWS = 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\n'

describe('schema messages', () => {
  it('a value out of range names the bound and what was given', () => {
    expect(lines(workload(BACKEND.replace('nginx}', 'nginx, port: 0}')))).toEqual([
      '3:32 error out-of-range image.port | `image.port` must be at least 1: got the number 0 | -',
    ])
    expect(lines(workload(BACKEND.replace('nginx}', 'nginx, port: 70000}')))).toEqual([
      '3:32 error out-of-range image.port | `image.port` must be at most 65535: got the number 70000 | -',
    ])
    expect(lines(workload(`${BACKEND}storage: {ephemeral: 500}\n`))).toEqual([
      '4:22 error out-of-range storage.ephemeral | `storage.ephemeral` must be at most 200: got the number 500 | -',
    ])
    expect(workload(BACKEND.replace('nginx}', 'nginx, port: 65535}')).ok).toBe(true)
    expect(workload(BACKEND.replace('nginx}', 'nginx, port: 1}')).ok).toBe(true)
  })

  it('a secret with both sources, or none, must have exactly one', () => {
    expect(lines(workload(`${BACKEND}secrets:\n  A: {secretsmanager: x, from_cfn: y}\n  B: {}\n`))).toEqual([
      '5:6 error invalid-value secrets.A | `secrets.A` must have exactly one of `secretsmanager` or `from_cfn`: they are different sources | -',
      '6:6 error invalid-value secrets.B | `secrets.B` must have exactly one of `secretsmanager` or `from_cfn`: they are different sources | -',
    ])
  })

  it('a wrong type says what was expected, what was given, and the field\'s description', () => {
    const cpu = (v: string) => lines(workload(`${BACKEND}cpu: ${v}\n`))
    const hint = 'Expected: CPU units for the task (256 = 0.25 vCPU). Must pair with `memory` per the Fargate table.'
    expect(cpu('[1]')).toEqual([`4:6 error wrong-type cpu | \`cpu\` must be an integer: got a list | ${hint}`])
    expect(cpu('true')).toEqual([`4:6 error wrong-type cpu | \`cpu\` must be an integer: got true | ${hint}`])
    expect(cpu('{a: 1}')).toEqual([`4:6 error wrong-type cpu | \`cpu\` must be an integer: got a mapping | ${hint}`])
    expect(cpu(`"${'y'.repeat(40)}"`)).toEqual([`4:6 error wrong-type cpu | \`cpu\` must be an integer: got the string "${'y'.repeat(40)}" | ${hint}`])
    expect(cpu(`"${'x'.repeat(45)}"`)).toEqual([`4:6 error wrong-type cpu | \`cpu\` must be an integer: got the string "${'x'.repeat(40)}…" | ${hint}`])
    expect(lines(workload(`${BACKEND}command: {a: 1}\n`))).toEqual([
      '4:10 error wrong-type command | `command` must be a string or a list: got a mapping | Expected: Overrides the image CMD.',
    ])
    expect(lines(workload('name: web\ntype: Backend Service\nimage: 5\n'))).toEqual([
      '1:1 error missing-field  | the workload has no image: `image.build` or `image.location` is required (Copilot refused it too: "must specify one of "build" and "location"") | Add `image: {build: path/to/Dockerfile}` or `image: {location: repository/image:tag}` beside `port`, in the manifest or in each environment\'s override.',
      '3:8 error wrong-type image | `image` must be a mapping: got the number 5 | Expected: The main container image: `build` (from a Dockerfile) or `location` (an existing image).',
    ])
  })

  it('a duration that is not one, and a number where a duration goes', () => {
    const hc = (v: string) => lines(workload(`name: web\ntype: Backend Service\nimage:\n  location: x\n  healthcheck: {interval: ${v}}\n`))
    expect(hc('soon')).toEqual([
      '5:27 error invalid-value image.healthcheck.interval | `image.healthcheck.interval` must be a duration such as 30s, 1m, 1h30m or 500ms: got the string "soon" | -',
    ])
    expect(hc('10')).toEqual([
      '5:27 error wrong-type image.healthcheck.interval | `image.healthcheck.interval` must be a string: got the number 10 | Expected: Time between checks (default 10s).',
    ])
  })

  it('a missing field says where to add it', () => {
    expect(lines(workload('type: Backend Service\nimage: {location: nginx}\n'))).toEqual([
      '1:1 error missing-field  | missing field `name`: a Backend Service needs it | Add `name:` at the top level.',
    ])
    expect(lines(environment('type: Environment\n'))).toEqual([
      '1:1 error missing-field  | missing field `name`: an environment manifest needs it | Add `name:` at the top level.',
    ])
  })

  it('an unknown field names the mapping it is in and its known fields', () => {
    expect(lines(workload(`${BACKEND}zzzzqqq: 1\n`))).toEqual([
      '4:1 warning unknown-key zzzzqqq | unknown field `zzzzqqq`: a Backend Service has no such field; Copilot ignored it too, so it never took effect | Known fields here: name, type, image, entrypoint, command, cpu, memory, platform, exec, variables, env_file, secrets, storage, logging, sidecars, network, publish, taskdef_overrides, observability, tags, http, count, deployment, capacity_providers.',
    ])
    expect(lines(workload(`${BACKEND}variables:\n  A: {from_cfn: x, qqqq: 1}\n`))).toEqual([
      '5:20 warning unknown-key variables.A.qqqq | unknown field `qqqq`: `variables.A` has no such field; Copilot ignored it too, so it never took effect | Known fields here: from_cfn.',
    ])
    expect(lines(environment('name: test\ntype: Environment\nqqqzzz: 1\n'))).toEqual([
      '3:1 warning unknown-key qqqzzz | unknown field `qqqzzz`: an environment manifest has no such field; Copilot ignored it too, so it never took effect | Known fields here: name, type, network, http, cdn, observability.',
    ])
    expect(lines(workload(`${BACKEND}zzzzqqq: 1\n`, {strict: true}))[0]).toMatch(/^4:1 error unknown-key zzzzqqq \| /)
    expect(lines(environment('name: test\ntype: Environment\nqqqzzz: 1\n', {strict: true}))[0]).toMatch(/^3:1 error unknown-key qqqzzz \| /)
    expect(environment('name: test\ntype: Environment\nqqqzzz: 1\n', {strict: true}).ok).toBe(false)
  })

  it('a constant names the one value allowed', () => {
    expect(lines(environment('name: test\ntype: Backend Service\n'))).toEqual([
      '2:7 error invalid-value type | `type` must be "Environment": got the string "Backend Service" | -',
    ])
  })
})

describe('manifests that are not manifests', () => {
  const hint = 'Start the file with `name: NAME` and `type: TYPE` lines, or recreate it with `pier svc init` / `pier job init`.'
  it('an empty file, a null document and a list are refused, each with its own words', () => {
    expect(lines(workload(''))).toEqual([`1:1 error not-a-mapping  | the manifest is empty: a manifest is a YAML mapping with at least \`name\` and \`type\` | ${hint}`])
    expect(lines(workload('~\n'))).toEqual([`1:1 error not-a-mapping  | the manifest is empty: a manifest is a YAML mapping with at least \`name\` and \`type\` | ${hint}`])
    expect(lines(workload('- a\n- b\n'))).toEqual([`1:1 error not-a-mapping  | the manifest is not a mapping of fields: a manifest is a YAML mapping with at least \`name\` and \`type\` | ${hint}`])
    expect(lines(environment('just text\n'))).toEqual([`1:1 error not-a-mapping  | the manifest is not a mapping of fields: a manifest is a YAML mapping with at least \`name\` and \`type\` | ${hint}`])
  })

  it('a manifest without a type lists the types; one with an unknown type suggests one', () => {
    const all = 'Load Balanced Web Service, Backend Service, Worker Service, Scheduled Job, Request-Driven Web Service, Static Site'
    expect(lines(workload('name: web\nimage: {location: x}\n'))).toEqual([
      '1:1 error missing-field  | the manifest has no `type`: Pier reads the workload type before any other field | Add `type: Load Balanced Web Service` (or one of: Backend Service, Worker Service, Scheduled Job, Request-Driven Web Service, Static Site).',
    ])
    expect(lines(workload('name: web\ntype: Qqqq\n'))).toEqual([`2:7 error unknown-type type | unknown workload type "Qqqq": it must be one of ${all} | Use one of: ${all}.`])
    expect(lines(workload('name: web\ntype: Environment\n'))).toEqual([`2:7 error unknown-type type | unknown workload type "Environment": it must be one of ${all} | Use one of: ${all}.`])
    expect(workload('name: web\ntype: worker-svc\n').diagnostics[0]!.hint).toBe('Did you mean "Worker Service"?')
    expect(workload('name: web\ntype: Scheduled\n').diagnostics[0]!.hint).toBe('Did you mean "Scheduled Job"?')
  })

  it('a pipeline manifest is named as one, and only with both `stages` and `source`', () => {
    expect(lines(workload('name: p\nstages: []\nsource: {provider: GitHub}\n'))).toEqual([
      '1:1 error unsupported-pipeline  | this is a Copilot pipeline manifest (CodePipeline), which Pier does not deploy: Pier reads services, jobs and environments | Run `pier svc deploy` / `pier job deploy` from your CI system instead; pipeline manifests under copilot/pipelines/ are left alone.',
    ])
    expect(workload('name: p\nstages: []\n').diagnostics.map((d) => d.code)).toEqual(['missing-field'])
    expect(workload('name: p\nsource: {provider: GitHub}\n').diagnostics.map((d) => d.code)).toEqual(['missing-field'])
    expect(workload('name: p\ntype: Pipeline\nstages: []\nsource: {provider: GitHub}\n').diagnostics.map((d) => d.code)).toEqual(['unknown-type'])
  })

  it('too many aliases are refused as invalid YAML at the top of the file', () => {
    const refs = Array.from({length: 12}, () => '*a').join(', ')
    const r = workload(`${BACKEND}x: &a [1]\ny: [${refs}]\nz: [${Array.from({length: 12}, () => '*y').join(', ')}]\n`)
    expect(r.ok).toBe(false)
    expect(lines(r)).toEqual([expect.stringMatching(/^1:1 error yaml-syntax {2}\| invalid YAML: .*alias.* \| Fix the YAML so that it reads as one mapping of fields\.$/i)])
  })
})

describe('names and overrides', () => {
  it('a name that differs from the directory is a warning at the name', () => {
    expect(lines(workload(BACKEND, {expectedName: 'api'}))).toEqual([
      '1:7 warning name-mismatch name | the manifest\'s name "web" differs from its directory "api": Pier names the workload after its directory | Set `name: api`, or rename the directory.',
    ])
    expect(lines(environment('name: test\ntype: Environment\n', {expectedName: 'prod'}))).toEqual([
      '1:7 warning name-mismatch name | the manifest\'s name "test" differs from its directory "prod": Pier names the environment after its directory | Set `name: prod`, or rename the directory.',
    ])
    expect(workload(BACKEND, {expectedName: 'web'}).diagnostics).toEqual([])
    expect(environment('name: test\ntype: Environment\n', {expectedName: 'test'}).diagnostics).toEqual([])
    // A name that is not a string is the schema's problem, not a mismatch.
    expect(workload(BACKEND.replace('name: web', 'name: 5'), {expectedName: 'web'}).diagnostics.map((d) => d.code)).not.toContain('name-mismatch')
    expect(environment('name: [x]\ntype: Environment\n', {expectedName: 'test'}).diagnostics.map((d) => d.code)).not.toContain('name-mismatch')
  })

  it('the name compared is the merged one: an override can fix it', () => {
    const text = `${BACKEND.replace('name: web', 'name: old')}environments:\n  prod: {name: web}\n`
    expect(workload(text, {expectedName: 'web', env: 'prod'}).diagnostics).toEqual([])
    expect(workload(text, {expectedName: 'web', env: 'test'}).diagnostics.map((d) => d.code)).toEqual(['name-mismatch'])
  })

  it('`environments` that is not a mapping, and an override that is not one, are refused', () => {
    expect(lines(workload(`${BACKEND}environments: [a]\n`))).toEqual([
      '4:15 error wrong-type environments | `environments` must be a mapping of environment names to overrides: Pier applies `environments.<env>` over the manifest | Write `environments:` then, indented, `prod:` and the fields to change in prod.',
    ])
    expect(lines(workload(`${BACKEND}environments:\n  prod: 3\n`, {env: 'prod'}))).toEqual([
      '5:9 error wrong-type environments.prod | the overrides for environment "prod" must be a mapping of fields: they are applied over the manifest | Indent the fields to override under the environment name.',
    ])
    const r = workload(`${BACKEND}environments: [a]\n`, {env: 'prod'})
    expect(r.manifest).toMatchObject({name: 'web', image: {location: 'nginx'}})
    expect(workload(`${BACKEND}environments:\n  prod:\n`, {env: 'prod'}).diagnostics).toEqual([])
    expect(workload(`${BACKEND}environments: ~\n`, {env: 'prod'}).diagnostics).toEqual([])
  })

  it('an override for an unknown environment warns only when the workspace lists environments', () => {
    const text = `${BACKEND}environments:\n  staging: {cpu: 512}\n`
    expect(workload(text, {environments: []}).diagnostics).toEqual([])
    expect(lines(workload(text))).toEqual([
      '5:3 warning unknown-environment environments.staging | environment "staging" does not exist in this workspace: its overrides are checked, but never applied from here | Existing environments: test, prod. Create it with `pier env init --name staging`, or fix the name.',
    ])
  })
})

describe('workload types', () => {
  it('only services and jobs Pier runs on ECS deploy', () => {
    for (const t of ['Load Balanced Web Service', 'Backend Service', 'Worker Service', 'Scheduled Job']) expect(isDeployableType(t), t).toBe(true)
    for (const t of ['Request-Driven Web Service', 'Static Site', 'Environment', '', 'backend service']) expect(isDeployableType(t), t).toBe(false)
  })
})

describe('YAML mistakes, as printed', () => {
  it('a duplicate key: one error at the second one, with its frame and hint', () => {
    expect(formatDiagnostics(workload(`${BACKEND}cpu: 256\ncpu: 512\n`).diagnostics)).toBe([
      'copilot/web/manifest.yml:5:1: error [duplicate-key] duplicate key: a key may appear only once in a mapping',
      '    3 | image: {location: nginx}',
      '    4 | cpu: 256',
      '  > 5 | cpu: 512',
      '      | ^',
      '    6 |',
      '  hint: Remove one of the two entries.',
      '',
      '1 error, 0 warnings',
    ].join('\n'))
  })

  it('a syntax error: only the first, its message without the parser\'s position, lower-cased', () => {
    expect(formatDiagnostics(workload('name: web\ntype: Backend Service\nimage:\n  location: [nginx\ncpu: 256\n').diagnostics)).toBe([
      'copilot/web/manifest.yml:5:1: error [yaml-syntax] invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]',
      '    3 | image:',
      '    4 |   location: [nginx',
      '  > 5 | cpu: 256',
      '      | ^',
      '    6 |',
      '  hint: Fix the YAML syntax at this position (indentation, quotes, colons).',
      '',
      '1 error, 0 warnings',
    ].join('\n'))
    expect(lines(workload('name: web\ntype: Backend Service\nimage:\n\tlocation: x\n'))).toEqual([
      '4:1 error yaml-syntax  | invalid YAML: tabs are not allowed as indentation | Fix the YAML syntax at this position (indentation, quotes, colons).',
    ])
  })

  it('a duplicate key and a syntax error: the syntax error alone', () => {
    expect(workload(`${BACKEND}cpu: 256\ncpu: 512\nimage:\n  location: [nginx\nmemory: 512\n`).diagnostics.map((d) => d.code)).toEqual(['yaml-syntax'])
  })

  it('a bare `*` (a redacted key, an empty alias) is explained, underlined whole, and told to be quoted', () => {
    expect(formatDiagnostics(workload(`${BACKEND}variables:\n  ***REMOVED***: x\n`).diagnostics)).toBe([
      'copilot/web/manifest.yml:5:3: error [yaml-syntax] invalid YAML: `***REMOVED***` starts with `*`, which YAML reads as an alias (a reference to an `&anchor`), and no alias name follows',
      '    3 | image: {location: nginx}',
      '    4 | variables:',
      '  > 5 |   ***REMOVED***: x',
      '      |   ^^^^^^^^^^^^^',
      '    6 |',
      '  hint: Quote it: "***REMOVED***". Copilot\'s YAML reader refused it too.',
      '',
      '1 error, 0 warnings',
    ].join('\n'))
    expect(lines(workload(`${BACKEND}command:\n  - *\n`))).toEqual([
      '5:5 error yaml-syntax  | invalid YAML: `*` starts with `*`, which YAML reads as an alias (a reference to an `&anchor`), and no alias name follows | Quote it: "*". Copilot\'s YAML reader refused it too.',
    ])
    // A `*` in a comment, in quotes or inside a flow list is not the bare key or item explained above.
    expect(lines(workload(`${BACKEND}# x: *a\nvariables:\n  A: "*b"\n  B: [ *\n`))).toEqual([
      '7:8 error yaml-syntax  | invalid YAML: alias cannot be an empty string | Fix the YAML syntax at this position (indentation, quotes, colons).',
    ])
  })

  it('colours: red errors, yellow warnings, the frame\'s context lines dimmed, its line and caret not', () => {
    const r = workload(`${BACKEND}cpu: 256\ncpu: 512\nzzzzqqq: 1\n`)
    expect(r.diagnostics).toHaveLength(1)
    const warn = workload(`${BACKEND}zzzzqqq: 1\n`).diagnostics
    const out = formatDiagnostics([...r.diagnostics, ...warn.map((d) => ({...d, env: 'prod'}))], {color: true})
    expect(out.split('\n').slice(0, 7)).toEqual([
      '\u001B[1mcopilot/web/manifest.yml:5:1\u001B[22m: \u001B[31merror\u001B[39m \u001B[2m[duplicate-key]\u001B[22m duplicate key: a key may appear only once in a mapping',
      '  \u001B[2m  3 | image: {location: nginx}\u001B[22m',
      '  \u001B[2m  4 | cpu: 256\u001B[22m',
      '  > 5 | cpu: 512',
      '      | ^',
      '  \u001B[2m  6 | zzzzqqq: 1\u001B[22m',
      '  \u001B[36mhint:\u001B[39m Remove one of the two entries.',
    ])
    expect(out).toContain('\u001B[33mwarning\u001B[39m \u001B[2m[unknown-key]\u001B[22m unknown field `zzzzqqq`')
    expect(out).toContain('\u001B[2m (environment prod)\u001B[22m')
    expect(out.endsWith('\n\n1 error, 1 warning')).toBe(true)
  })

  it('the summary counts in the singular and the plural', () => {
    expect(formatDiagnostics([])).toBe('0 errors, 0 warnings')
    const two = workload(`${BACKEND}zzzzqqq: 1\nqqqqzzzz: 2\ncpu: x\nmemory: y\n`).diagnostics
    expect(formatDiagnostics(two).split('\n').at(-1)).toBe('2 errors, 2 warnings')
  })
})

describe('interpolation', () => {
  it('a list given whole by a variable becomes a list; anything else stays the text', () => {
    const command = (cmd: string) => (workload(`${BACKEND}command: \${CMD}\n`, {vars: {CMD: cmd}}).manifest as any).command
    expect(command('["a", "b"]')).toEqual(['a', 'b'])
    expect(command('[1, 2]')).toBe('[1, 2]')
    expect(command('[a, b')).toBe('[a, b')
    expect(command('x ["a"]')).toBe('x ["a"]')
  })

  it('an unquoted value is typed after interpolation, a quoted one stays a string', () => {
    const r = workload(`${BACKEND}exec: \${T}\nvariables:\n  A: "\${N}"\n  B: \${N}\n  D: x-\${N}.5\n  E: \${F}\n  G: \${Z}\n  H: \${NOTNUM}\n`,
      {vars: {T: 'true', N: '42', F: '-1.5', Z: '0', NOTNUM: '042'}})
    expect(r.manifest).toMatchObject({exec: true, variables: {A: '42', B: 42, D: 'x-42.5', E: -1.5, G: 0, H: '042'}})
    expect((workload(`${BACKEND}exec: \${T}\n`, {vars: {T: 'false'}}).manifest as any).exec).toBe(false)
    expect((workload(`${BACKEND}exec: \${T}\n`, {vars: {T: 'true'}}).manifest as any).exec).toBe(true)
  })

  it('an undefined variable is reported where it is written, in quotes or in a list', () => {
    const msg = 'environment variable UNDEF is not defined: ${UNDEF} is replaced by its value when the manifest is read | Export UNDEF before running Pier, or write \\${UNDEF} to keep the text literally.'
    expect(lines(workload(`${BACKEND}variables:\n  C: '\${UNDEF}'\n  D: "a \${UNDEF}"\n`))).toEqual([`5:7 error undefined-variable variables.C | ${msg}`, `6:9 error undefined-variable variables.D | ${msg}`])
    expect(lines(workload(`${BACKEND}command:\n  - a\n  - \${UNDEF}\n`))).toEqual([`6:5 error undefined-variable command[1] | ${msg}`])
  })

  it('the environment name is left as written when no environment is chosen', () => {
    const text = `${BACKEND}variables:\n  A: \${COPILOT_ENVIRONMENT_NAME}\n`
    expect(workload(text).diagnostics).toEqual([])
    expect((workload(text).manifest as any).variables.A).toBe('${COPILOT_ENVIRONMENT_NAME}')
    expect((workload(text, {env: 'prod'}).manifest as any).variables.A).toBe('prod')
  })

  it('text that is YAML only once interpolated is read as Copilot read it', () => {
    const lb = 'name: web\ntype: Load Balanced Web Service\nimage: {location: nginx, port: 80}\nhttp:\n  alias: [${A}\n'
    const r = workload(lb, {vars: {A: 'a.example.com]'}})
    expect(r.diagnostics).toEqual([])
    expect((r.manifest as any).http.alias).toEqual(['a.example.com'])
    const env = workload('name: web\ntype: Backend Service\nimage: {location: ${COPILOT_ENVIRONMENT_NAME}\n', {env: 'x}'})
    expect(env.diagnostics).toEqual([])
    expect((env.manifest as any).image).toEqual({location: 'x'})
    // Still broken after interpolation: the original text's error, at its position.
    expect(lines(workload('name: web\ntype: Backend Service\nimage: {location: ${L}\n', {vars: {L: 'y'}}))).toEqual([
      '3:20 error yaml-syntax  | invalid YAML: unexpected flow-map-start at node end | Fix the YAML syntax at this position (indentation, quotes, colons).',
    ])
  })
})

describe('where a problem of a merged manifest is reported', () => {
  it('a field the override did not reach is reported in the base, without an environment', () => {
    const r = workload('type: Backend Service\nimage: {location: nginx}\nenvironments:\n  prod: {exec: true}\n', {env: 'prod'})
    expect(r.diagnostics.map((d) => [d.line, d.col, d.code, d.env])).toEqual([[1, 1, 'missing-field', undefined]])
  })

  it('an unknown key in an override is pointed at, key first, in the override', () => {
    const r = workload(`${BACKEND}environments:\n  prod:\n    cpuu: 512\n`, {env: 'prod'})
    expect(r.diagnostics.map((d) => [d.line, d.col, d.code, d.path, d.env, d.hint])).toEqual([[6, 5, 'unknown-key', 'cpuu', 'prod', 'Did you mean `cpu`?']])
  })

  it('a field set in both is reported where the override set it; one only in the base, in the base', () => {
    const text = `${BACKEND}cpu: lots\nmemory: lots\nenvironments:\n  prod:\n    cpu: many\n`
    expect(workload(text, {env: 'prod'}).diagnostics.map((d) => [d.line, d.col, d.path, d.env])).toEqual([[5, 9, 'memory', undefined], [8, 10, 'cpu', 'prod']])
    expect(workload(text, {env: 'test'}).diagnostics.map((d) => [d.line, d.col, d.path, d.env])).toEqual([[4, 6, 'cpu', undefined], [5, 9, 'memory', undefined]])
  })
})

describe('type defaults', () => {
  const merged = (type: string, extra = '') => workload(`name: web\ntype: ${type}\nimage: {location: nginx, port: 80}\n${extra}`).manifest as Record<string, unknown>
  it('services get one task without exec, jobs no count; both a size and public placement', () => {
    const task = {cpu: 256, memory: 512, network: {vpc: {placement: 'public'}}}
    expect(merged('Backend Service')).toMatchObject({...task, count: 1, exec: false})
    expect(merged('Worker Service')).toMatchObject({...task, count: 1, exec: false})
    expect(merged('Load Balanced Web Service', 'http: {path: /}\n')).toMatchObject({...task, count: 1, exec: false})
    const job = merged('Scheduled Job', 'on: {schedule: "@daily"}\n')
    expect(job).toMatchObject(task)
    expect(job).not.toHaveProperty('count')
    expect(job).not.toHaveProperty('exec')
    const site = merged('Static Site')
    expect(site).not.toHaveProperty('cpu')
    expect(site).not.toHaveProperty('count')
  })

  it('each manifest gets its own copy of the defaults', () => {
    const a = merged('Backend Service') as any
    a.network.vpc.placement = 'private'
    expect((merged('Backend Service') as any).network.vpc.placement).toBe('public')
    const j = merged('Scheduled Job', 'on: {schedule: "@daily"}\n') as any
    j.network.vpc.placement = 'private'
    expect((merged('Scheduled Job', 'on: {schedule: "@daily"}\n') as any).network.vpc.placement).toBe('public')
  })
})

describe('positions and frames in detail', () => {
  it('a field name with `/` or `~` is named as written', () => {
    expect(workload(`${BACKEND}variables:\n  "a/b": [1]\n  "c~d": [1]\n`).diagnostics.map((d) => `${d.line}:${d.col} ${d.path} ${d.message.split(':')[0]}`)).toEqual([
      '5:10 variables.a/b `variables.a/b` must be a string, a number, true/false or a mapping',
      '6:10 variables.c~d `variables.c~d` must be a string, a number, true/false or a mapping',
    ])
  })

  it('a missing field inside a mapping is reported at that mapping\'s key, and says where to add it', () => {
    expect(lines(workload(`${BACKEND}variables:\n  A:\n    qq: 1\n`))).toEqual([
      '5:3 error missing-field variables.A | missing field `from_cfn` in `variables.A`: a Backend Service needs it | Add `from_cfn:` under `variables.A`.',
      '6:5 warning unknown-key variables.A.qq | unknown field `qq`: `variables.A` has no such field; Copilot ignored it too, so it never took effect | Known fields here: from_cfn.',
    ])
  })

  it('a wrong type given to a field of two types names both', () => {
    expect(lines(workload(`${BACKEND}platform: 5\n`))).toEqual([
      '4:11 error wrong-type platform | `platform` must be a string or a mapping: got the number 5 | Expected: Operating system and architecture: linux/x86_64 (default), linux/arm64, windows/x86_64, or {osfamily, architecture}.',
    ])
  })

  it('the caret underlines the first line of a value that spans lines, and a value at the very end of the file', () => {
    expect(formatDiagnostics(workload(`${BACKEND}cpu:\n  a: 1\n  b: 2\n`).diagnostics).split('\n').slice(3, 6)).toEqual([
      '  > 5 |   a: 1',
      '      |   ^^^^',
      '    6 |   b: 2',
    ])
    expect(formatDiagnostics(workload(`${BACKEND}cpu: lots`).diagnostics).split('\n').slice(3, 5)).toEqual([
      '  > 4 | cpu: lots',
      '      |      ^^^^',
    ])
  })

  it('an override that gives a mapping where the base has a scalar is reported in the override', () => {
    const r = workload(`${BACKEND}count: 2\nenvironments:\n  prod:\n    count: {range: bad}\n`, {env: 'prod'})
    expect(r.diagnostics.map((d) => [d.line, d.col, d.path, d.env])).toEqual([[7, 20, 'count.range', 'prod']])
  })

  it('a bare `*` is found after a key, after a list dash, or as a key, and only outside comments and real aliases', () => {
    const at = (text: string) => workload(`${BACKEND}${text}`).diagnostics.map((d) => `${d.line}:${d.col} ${d.message.split(' ')[2]}`)
    expect(at('variables:\n  A: *\n')).toEqual(['5:6 `*`'])
    expect(at('variables:\n  a#b: *\n')).toEqual(['5:8 `*`'])
    expect(at('variables:\n  **a: x\n')).toEqual(['5:3 `**a`'])
    expect(at('variables:\n  **a:b: x\n')).toEqual(['5:3 `**a:b`'])
    expect(at('cpu: 256\ncpu: 512\nvariables:\n  ***: x\n')).toEqual(['7:3 `***`'])
    expect(at('variables: # was: ***\n  ***REMOVED***: x\n')).toEqual(['5:3 `***REMOVED***`'])
    expect(at('x: &anchor_1 [1]\ny: *anchor_1\nz: *anchor_1 \nvariables:\n  ***REMOVED***: x\n')).toEqual(['8:3 `***REMOVED***`'])
  })
})

describe('interpolation, in detail', () => {
  it('only a whole list of strings becomes a list; an escaped variable never makes one', () => {
    const command = (text: string, vars: Record<string, string> = {}) => (workload(`${BACKEND}command: ${text}\n`, {vars}).manifest as any).command
    expect(command('${C}', {C: '["a", 1]'})).toBe('["a", 1]')
    expect(command('${C}', {C: '["a", "b"]'})).toEqual(['a', 'b'])
    expect(command(`'["\\\${A}"]'`)).toBe('["${A}"]')
  })

  it('a number is a number only when the whole value is one', () => {
    const r = workload(`${BACKEND}variables:\n  A: \${N}x\n  B: \${F}\n  C: x\${N}\n`, {vars: {N: '42', F: '1.25'}})
    expect((r.manifest as any).variables).toEqual({A: '42x', B: 1.25, C: 'x42'})
  })

  it('a value with a tag Pier does not know is left as written', () => {
    const r = workload(`${BACKEND}variables:\n  A: !Ref \${N}\n`, {vars: {N: '1'}})
    expect(lines(r)).toEqual(['5:6 warning unknown-tag  | invalid YAML: unresolved tag: !Ref | Fix the YAML syntax at this position (indentation, quotes, colons).'])
    expect((r.manifest as any).variables).toEqual({A: '${N}'})
  })
})

describe('an alias inside its own anchor', () => {
  it('is refused as invalid YAML, as Copilot refused it, instead of recursing forever', () => {
    for (const text of [`${BACKEND}x: &a [*a]\n`, `${BACKEND}x: &a {y: {z: *a}}\n`]) {
      expect(lines(workload(text))).toEqual([
        '1:1 error yaml-syntax  | invalid YAML: an alias (`*name`) refers to the mapping or list that contains it, so the value would never end | Point the alias at an anchor (`&name`) outside the value that uses it.',
      ])
    }
    expect(environment('name: test\ntype: Environment\nx: &a [*a]\n').diagnostics.map((d) => d.code)).toEqual(['yaml-syntax'])
    // The same value used twice is no cycle.
    const shared = workload(`${BACKEND}variables: &v {A: a}\nlogging:\n  variables: *v\n`)
    expect(shared.diagnostics).toEqual([])
    expect((shared.manifest as any).logging.variables).toEqual({A: 'a'})
  })
})

describe('schema messages, the rest', () => {
  it('a type given as a list is an unknown type, not the type inside it', () => {
    expect(workload('name: web\ntype: [Backend Service]\nimage: {location: x}\n').diagnostics.map((d) => [d.code, d.message.split(':')[0]])).toEqual([
      ['unknown-type', 'unknown workload type ["Backend Service"]'],
    ])
  })

  it('a value outside an enum lists the allowed ones, and suggests one only when close', () => {
    const version = (v: string) => lines(workload(`${LBWS}http: {path: /, version: ${v}}\n`))
    const allowed = '`http.version` must be one of "HTTP1", "HTTP2", "gRPC", "http1", "http2", "grpc", "GRPC"'
    expect(version('http3')).toEqual([`4:26 error invalid-value http.version | ${allowed}: got the string "http3" | Did you mean "HTTP1"?`])
    expect(version('zzzzzz')).toEqual([`4:26 error invalid-value http.version | ${allowed}: got the string "zzzzzz" | -`])
  })

  it('an empty list item is named as nothing', () => {
    expect(lines(workload(`${BACKEND}command: [a, ~]\n`))).toEqual(['4:14 error wrong-type command[1] | `command[1]` must be a string: got nothing (an empty value) | -'])
  })

  it('each kind has its schema file, for editors', async () => {
    const {schemaFileOf} = await import('../../src/manifest/schema.js')
    const {existsSync} = await import('node:fs')
    expect(schemaFileOf('backend-service')).toBe('schemas/backend-service.json')
    expect(existsSync(new URL(`../../${schemaFileOf('environment')}`, import.meta.url))).toBe(true)
  })
})
