// The pure core of loading one manifest for one environment: parse with positions, interpolate,
// apply type defaults and the environment's overrides, validate the shape (JSON Schema), then the
// semantic rules. Every problem becomes a located diagnostic; nothing here throws on bad input.
import {workloadDefaults} from './defaults.js'
import {type Diagnostic, sortAndDedupe} from './diagnostics.js'
import {interpolateSource, interpolateText} from './interpolate.js'
import {type Issue, locator} from './locate.js'
import {applyOverride, isPlainObject, removeUnset} from './merge.js'
import {environmentRules, workloadRules} from './rules/index.js'
import {type SchemaKind, schemaKindOf} from './schema.js'
import {settle} from './tolerance.js'
import {type ManifestSource, diagnosticAt, findNode, parseSource, positionOf} from './source.js'
import type {EnvironmentManifest, WorkloadManifest} from './types.js'

export interface Resolved<T> {
  manifest: T
  diagnostics: Diagnostic[]
  ok: boolean
  /** A workload's: the environments its manifest names under `environments:`, overridden or not. */
  overrides?: string[]
}

export interface ResolveInput {
  /** Path shown in diagnostics (relative to the workspace root). */
  file: string
  text: string
  app: string
  /** The environment to merge for; undefined validates the base manifest alone. */
  env?: string
  /** Environments that exist in the workspace (override keys naming others get a warning). */
  environments: readonly string[]
  /** Values for `${VAR}` (usually process.env). */
  vars: Readonly<Record<string, string | undefined>>
  /** The workload's directory name, which its `name` field should match. */
  expectedName?: string
  /** Report what Copilot ignored (unknown keys, values its unmarshallers dropped) as errors, not warnings. */
  strict?: boolean
}

function finish<T>(manifest: T, diagnostics: Diagnostic[]): Resolved<T> {
  const diags = sortAndDedupe(diagnostics)
  return {manifest, diagnostics: diags, ok: !diags.some((d) => d.severity === 'error')}
}

/** Parses and interpolates; returns the plain value, or undefined when the YAML is broken. */
function load(input: ResolveInput): {source: ManifestSource; value: unknown; diagnostics: Diagnostic[]} {
  let {source, diagnostics} = parseSource(input.file, input.text)
  if (diagnostics.some((d) => d.severity === 'error') && input.text.includes('${')) {
    const ctx = {vars: input.vars, app: input.app, ...(input.env === undefined ? {} : {env: input.env})}
    const retry = parseSource(input.file, interpolateText(input.text, ctx))
    if (!retry.diagnostics.some((d) => d.severity === 'error')) ({source, diagnostics} = retry)
  }
  if (diagnostics.some((d) => d.severity === 'error')) return {source, value: undefined, diagnostics}
  diagnostics.push(...interpolateSource(source, {vars: input.vars, app: input.app, ...(input.env === undefined ? {} : {env: input.env})}))
  let value: unknown
  try {
    value = source.doc.toJS({maxAliasCount: 100})
  } catch (error) {
    diagnostics.push(diagnosticAt(source, {line: 1, col: 1, width: 1}, {
      severity: 'error', code: 'yaml-syntax', path: '',
      message: `invalid YAML: ${(error as Error).message.split('\n')[0]}`,
      hint: 'Fix the YAML so that it reads as one mapping of fields.',
    }))
    return {source, value: undefined, diagnostics}
  }
  if (containsItself(value)) {
    // yaml.v3 (Copilot) refuses this too ("anchor value contains itself"); every later step would recurse forever.
    diagnostics.push(diagnosticAt(source, {line: 1, col: 1, width: 1}, {
      severity: 'error', code: 'yaml-syntax', path: '',
      message: 'invalid YAML: an alias (`*name`) refers to the mapping or list that contains it, so the value would never end',
      hint: 'Point the alias at an anchor (`&name`) outside the value that uses it.',
    }))
    return {source, value: undefined, diagnostics}
  }
  if (!isPlainObject(value)) {
    diagnostics.push(diagnosticAt(source, positionOf(source, source.doc.contents), {
      severity: 'error', code: 'not-a-mapping', path: '',
      message: `the manifest is ${value === null || value === undefined ? 'empty' : 'not a mapping of fields'}: a manifest is a YAML mapping with at least \`name\` and \`type\``,
      hint: 'Start the file with `name: NAME` and `type: TYPE` lines, or recreate it with `pier svc init` / `pier job init`.',
    }))
    return {source, value: undefined, diagnostics}
  }
  return {source, value, diagnostics}
}

export function resolveWorkloadText(input: ResolveInput): Resolved<WorkloadManifest> {
  const {source, value, diagnostics} = load(input)
  if (!isPlainObject(value)) return finish({} as WorkloadManifest, diagnostics)
  const named = isPlainObject(value.environments) ? {overrides: Object.keys(value.environments)} : {}
  const resolved = resolveWorkloadValue(input, source, value, diagnostics)
  return {...resolved, ...named}
}

function resolveWorkloadValue(input: ResolveInput, source: ManifestSource, value: Record<string, unknown>, diagnostics: Diagnostic[]): Resolved<WorkloadManifest> {
  const locate = locator(source, input.env)
  const baseLocate = locator(source)
  const issues: Issue[] = []
  const kind = schemaKindOf(value.type)
  if (!kind || kind === 'environment') {
    issues.push(value.type === undefined && value.stages !== undefined && value.source !== undefined ? pipelineIssue() : badType(value.type))
    diagnostics.push(...issues.map(baseLocate))
    return finish(removeUnset(value) as WorkloadManifest, diagnostics)
  }
  const {environments: overrides, ...base} = value
  diagnostics.push(...overrideEnvironmentIssues(source, overrides, input.environments))
  // A non-mapping override is reported above; applying it would replace the whole manifest with a scalar.
  const candidate = input.env !== undefined && isPlainObject(overrides) ? overrides[input.env] : undefined
  const envOverride = isPlainObject(candidate) ? candidate : undefined
  // Defaults go under the merged manifest, so `!unset` on a defaulted field returns it to its default.
  const overridden = applyOverride(base, envOverride) as Record<string, unknown>
  const withDefaults = applyOverride(workloadDefaults(value.type), overridden) as Record<string, unknown>
  // Keep the manifest's own field order; fields that only have a default come last.
  const merged: Record<string, unknown> = {}
  for (const k of [...Object.keys(overridden), ...Object.keys(withDefaults)]) if (k in withDefaults) merged[k] = withDefaults[k]
  if (input.expectedName !== undefined && typeof merged.name === 'string' && merged.name !== input.expectedName) {
    diagnostics.push(baseLocate({path: ['name'], severity: 'warning', code: 'name-mismatch',
      message: `the manifest's name "${merged.name}" differs from its directory "${input.expectedName}": Pier names the workload after its directory`,
      hint: `Set \`name: ${input.expectedName}\`, or rename the directory.`}))
  }
  // Rules run even when the shape is wrong, on the fields that passed the schema, so one run reports all.
  const settled = settle(kind, merged, {strict: input.strict})
  diagnostics.push(...settled.issues.map(locate))
  diagnostics.push(...workloadRules(settled.checked as unknown as WorkloadManifest, {env: input.env}).map(locate))
  return finish(settled.manifest as unknown as WorkloadManifest, diagnostics)
}

export function resolveEnvironmentText(input: ResolveInput): Resolved<EnvironmentManifest> {
  const {source, value, diagnostics} = load(input)
  if (!isPlainObject(value)) return finish({} as EnvironmentManifest, diagnostics)
  const locate = locator(source)
  const manifest = removeUnset(value) as Record<string, unknown>
  if (input.expectedName !== undefined && typeof manifest.name === 'string' && manifest.name !== input.expectedName) {
    diagnostics.push(locate({path: ['name'], severity: 'warning', code: 'name-mismatch',
      message: `the manifest's name "${manifest.name}" differs from its directory "${input.expectedName}": Pier names the environment after its directory`,
      hint: `Set \`name: ${input.expectedName}\`, or rename the directory.`}))
  }
  const settled = settle('environment', manifest, {strict: input.strict})
  diagnostics.push(...settled.issues.map(locate))
  diagnostics.push(...environmentRules(settled.checked as unknown as EnvironmentManifest).map(locate))
  return finish(settled.manifest as unknown as EnvironmentManifest, diagnostics)
}

/** Whether a mapping or list is its own descendant (an alias inside its own anchor). */
function containsItself(v: unknown, open: Set<unknown> = new Set()): boolean {
  if (v === null || typeof v !== 'object') return false
  if (open.has(v)) return true
  open.add(v)
  const found = Object.values(v).some((x) => containsItself(x, open))
  open.delete(v)
  return found
}

function pipelineIssue(): Issue {
  return {path: [], code: 'unsupported-pipeline', message: 'this is a Copilot pipeline manifest (CodePipeline), which Pier does not deploy: Pier reads services, jobs and environments',
    hint: 'Run `pier svc deploy` / `pier job deploy` from your CI system instead; pipeline manifests under copilot/pipelines/ are left alone.'}
}

function badType(type: unknown): Issue {
  const known = ['Load Balanced Web Service', 'Backend Service', 'Worker Service', 'Scheduled Job', 'Request-Driven Web Service', 'Static Site']
  if (type === undefined) {
    return {path: [], code: 'missing-field', message: 'the manifest has no `type`: Pier reads the workload type before any other field', hint: `Add \`type: ${known[0]}\` (or one of: ${known.slice(1).join(', ')}).`}
  }
  return {path: ['type'], code: 'unknown-type', message: `unknown workload type ${JSON.stringify(type)}: it must be one of ${known.join(', ')}`, hint: closest(String(type), known) ? `Did you mean "${closest(String(type), known)}"?` : `Use one of: ${known.join(', ')}.`}
}

function closest(s: string, options: string[]): string | undefined {
  const lower = s.toLowerCase().replace(/[^a-z]/g, '')
  return options.find((o) => o.toLowerCase().replace(/[^a-z]/g, '').startsWith(lower.slice(0, 4)))
}

/** Warns about `environments.<env>` keys that name no environment of the workspace. */
function overrideEnvironmentIssues(source: ManifestSource, overrides: unknown, envs: readonly string[]): Diagnostic[] {
  const locate = locator(source)
  if (overrides === undefined || overrides === null) return []
  if (!isPlainObject(overrides)) {
    return [locate({path: ['environments'], code: 'wrong-type', message: '`environments` must be a mapping of environment names to overrides: Pier applies `environments.<env>` over the manifest', hint: 'Write `environments:` then, indented, `prod:` and the fields to change in prod.'})]
  }
  const out: Diagnostic[] = []
  for (const [name, value] of Object.entries(overrides)) {
    if (value !== null && !isPlainObject(value)) {
      out.push(locate({path: ['environments', name], code: 'wrong-type', message: `the overrides for environment "${name}" must be a mapping of fields: they are applied over the manifest`, hint: 'Indent the fields to override under the environment name.'}))
    }
    if (envs.length === 0 || envs.includes(name)) continue
    out.push(locate({path: ['environments', name], atKey: true, severity: 'warning', code: 'unknown-environment',
      message: `environment "${name}" does not exist in this workspace: its overrides are checked, but never applied from here`,
      hint: `Existing environments: ${envs.join(', ')}. Create it with \`pier env init --name ${name}\`, or fix the name.`}))
  }
  return out
}

export type {SchemaKind}
export {findNode}
