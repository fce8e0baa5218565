// Copilot's golden workload tests (test/fixtures/copilot-golden, see its NOTICE.md): each manifest
// renders with Pier for the environment of each expected template, and Pier's template keeps the key
// properties of Copilot's: per resource type, the settings a user chose in the manifest or relies on
// (sizes, ports, health checks, routing, scaling, schedule, network, variables). Logical IDs are not
// compared; values that Copilot takes from its parameters are resolved with its params.json.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseDocument} from 'yaml'

import {resolveWorkloadText} from '../../src/manifest/index.js'
import type {EcsWorkloadManifest} from '../../src/manifest/types.js'
import {renderWorkloadStack} from '../../src/render/index.js'
import {IMPORTED_ALB, workloadCases} from './copilot-stateful.js'

const dir = join(import.meta.dirname, '..', 'fixtures', 'copilot-golden')
const files = readdirSync(dir)

/** Copilot's short-form intrinsics (!Ref, !Sub, ...) read as their long form. */
const intrinsicTags = ['Ref', 'Sub', 'GetAtt', 'If', 'Join', 'Select', 'Split', 'ImportValue', 'Equals', 'Not', 'And', 'Or', 'Condition', 'FindInMap', 'GetAZs', 'Base64', 'Cidr'].flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`
  const conv = (v: unknown) => ({[key]: name === 'GetAtt' && typeof v === 'string' ? v.split('.') : v})
  return (['scalar', 'seq', 'map'] as const).map((kind) => ({tag: `!${name}`, collection: kind === 'scalar' ? undefined : kind, resolve: (v: any) => conv(kind === 'scalar' ? v : v.toJSON())} as any))
})

function loadTemplate(file: string): any {
  return parseDocument(readFileSync(join(dir, file), 'utf8'), {customTags: intrinsicTags, logLevel: 'silent'}).toJS()
}

type Props = Map<string, string>

const norm = (v: unknown): string => (v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))

/** Resolves Refs to parameters and reduces other intrinsics to a marker (they are compared as "computed"). */
function resolver(params: Record<string, unknown>) {
  const r = (v: any): unknown => {
    if (Array.isArray(v)) return v.map(r)
    if (v && typeof v === 'object') {
      const keys = Object.keys(v)
      if (keys.length === 1 && keys[0] === 'Ref') return v.Ref in params ? r(params[v.Ref]) : '<computed>'
      if (keys.length === 1 && (keys[0]!.startsWith('Fn::') || keys[0] === 'Condition')) return '<computed>'
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, r(x)]))
    }
    return v
  }
  return r
}

function ofType(t: any, type: string): any[] {
  return Object.values<any>(t.Resources ?? {}).filter((x) => x.Type === type).map((x) => x.Properties ?? {})
}

/** The key properties of a template. */
function keyProperties(t: any, params: Record<string, unknown>, main: string): Props {
  const r = resolver(params)
  const p: Props = new Map()
  const put = (k: string, v: unknown) => {
    const x = r(v)
    if (x !== undefined && x !== '') p.set(k, norm(x))
  }
  for (const td of ofType(t, 'AWS::ECS::TaskDefinition')) {
    put('task.cpu', td.Cpu)
    put('task.memory', td.Memory)
    put('task.platform', td.RuntimePlatform)
    put('task.networkMode', td.NetworkMode)
    for (const v of td.Volumes ?? []) {
      put(`task.volume.${v.Name}`, v.EFSVolumeConfiguration ? 'efs' : 'bind')
      const efs = v.EFSVolumeConfiguration
      if (!efs) continue
      put(`task.volume.${v.Name}.rootDirectory`, efs.RootDirectory ?? '/')
      put(`task.volume.${v.Name}.transitEncryption`, efs.TransitEncryption)
      put(`task.volume.${v.Name}.iam`, efs.AuthorizationConfig?.IAM ?? 'DISABLED')
      put(`task.volume.${v.Name}.accessPoint`, efs.AuthorizationConfig?.AccessPointId ? 'set' : 'none')
    }
    for (const c of td.ContainerDefinitions ?? []) {
      const name = r(c.Name)
      const n = name === main || name === undefined ? 'main' : String(name)
      put(`container.${n}.ports`, (c.PortMappings ?? []).map((m: any) => r(m.ContainerPort)))
      for (const e of c.Environment ?? []) put(`container.${n}.env.${e.Name}`, typeof e.Value === 'object' ? '<computed>' : e.Value)
      for (const s of c.Secrets ?? []) put(`container.${n}.secret.${s.Name}`, 'set')
      put(`container.${n}.healthcheck`, c.HealthCheck?.Command)
      put(`container.${n}.entrypoint`, c.EntryPoint)
      put(`container.${n}.command`, c.Command)
      put(`container.${n}.essential`, c.Essential)
      for (const m of c.MountPoints ?? []) put(`container.${n}.mount.${m.ContainerPath}`, m.SourceVolume)
      for (const d of c.DependsOn ?? []) put(`container.${n}.dependsOn.${d.ContainerName}`, d.Condition)
    }
  }
  // What the task role may do on file systems: one grant (its actions, and whether an access point
  // limits it) per volume, in order.
  const efsGrants = ofType(t, 'AWS::IAM::Role').flatMap((role) => (role.Policies ?? []).flatMap((pol: any) => pol.PolicyDocument?.Statement ?? []))
    .filter((st: any) => [st.Action].flat().some((a: unknown) => String(a).startsWith('elasticfilesystem:')))
    .map((st: any) => `${[st.Action].flat().sort().join('+')}${st.Condition ? ' via access point' : ''}`)
  if (efsGrants.length) put('task.efsGrants', efsGrants)
  for (const s of ofType(t, 'AWS::ECS::Service')) {
    put('service.assignPublicIp', s.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp)
    put('service.exec', s.EnableExecuteCommand)
    put('service.circuitBreaker', s.DeploymentConfiguration?.DeploymentCircuitBreaker)
    put('service.gracePeriod', s.HealthCheckGracePeriodSeconds)
    put('service.platformVersion', s.PlatformVersion)
    put('service.loadBalancers', (s.LoadBalancers ?? []).length)
  }
  ofType(t, 'AWS::ElasticLoadBalancingV2::TargetGroup').forEach((g, i) => {
    for (const k of ['HealthCheckPath', 'HealthCheckPort', 'Matcher', 'HealthyThresholdCount', 'UnhealthyThresholdCount', 'HealthCheckIntervalSeconds', 'HealthCheckTimeoutSeconds', 'Port', 'Protocol', 'ProtocolVersion', 'TargetType']) {
      put(`targetGroup${i}.${k}`, k === 'Protocol' && g[k] === undefined ? undefined : g[k])
    }
    for (const a of g.TargetGroupAttributes ?? []) put(`targetGroup${i}.attr.${a.Key}`, a.Value)
  })
  // Rules that forward to the service; Copilot's per-rule HTTP-to-HTTPS redirects are done by Pier's
  // environment HTTP listener for every rule at once.
  const rules = ofType(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter((x) => (x.Actions ?? []).some((a: any) => a.Type === 'forward'))
  put('listenerRules', rules.length)
  rules.forEach((rule, i) => {
    for (const c of rule.Conditions ?? []) put(`rule${i}.${c.Field}`, c.PathPatternConfig?.Values ?? c.HostHeaderConfig?.Values ?? c.SourceIpConfig?.Values ?? c.Values)
  })
  for (const l of ofType(t, 'AWS::ElasticLoadBalancingV2::Listener')) put(`nlbListener.${r(l.Port)}`, l.Protocol)
  for (const s of ofType(t, 'AWS::ApplicationAutoScaling::ScalableTarget')) {
    put('scaling.min', s.MinCapacity)
    put('scaling.max', s.MaxCapacity)
  }
  for (const s of ofType(t, 'AWS::ApplicationAutoScaling::ScalingPolicy')) {
    const c = s.TargetTrackingScalingPolicyConfiguration ?? {}
    const metric = c.PredefinedMetricSpecification?.PredefinedMetricType ?? c.CustomizedMetricSpecification?.MetricName ?? 'custom'
    put(`scaling.${metric}.target`, c.TargetValue)
  }
  for (const g of ofType(t, 'AWS::Logs::LogGroup')) put('logs.retention', g.RetentionInDays)
  for (const e of ofType(t, 'AWS::Events::Rule')) put('schedule', e.ScheduleExpression)
  put('topics', ofType(t, 'AWS::SNS::Topic').length || undefined)
  for (const q of ofType(t, 'AWS::SQS::Queue')) {
    for (const k of ['MessageRetentionPeriod', 'DelaySeconds', 'VisibilityTimeout', 'FifoQueue']) put(`queue.${k}`, q[k])
  }
  put('route53', ofType(t, 'AWS::Route53::RecordSetGroup').length || undefined)
  return p
}

function score(expected: Props, actual: Props): {kept: number; total: number; missing: string[]} {
  const missing: string[] = []
  for (const [k, v] of expected) {
    const a = actual.get(k)
    if (a === v || (v === '<computed>' && a !== undefined) || (a === '<computed>' && v !== undefined)) continue
    missing.push(`${k}: Copilot ${v}, Pier ${a ?? '(none)'}`)
  }
  return {kept: expected.size - missing.length, total: expected.size, missing}
}

function renderCase(c: ReturnType<typeof workloadCases>[number], params: Record<string, unknown>) {
  const text = readFileSync(join(dir, c.manifest), 'utf8')
  const env = String(params.EnvName ?? c.env)
  const app = String(params.AppName ?? 'my-app')
  const r = resolveWorkloadText({file: c.manifest, text, app, env, environments: ['test', 'prod', 'staging', 'dev', env], vars: {TAG: 'latest'}})
  const errors = r.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length) throw new Error(errors.map((d) => `${d.path}: ${d.message}`).join('; '))
  const m = r.manifest as EcsWorkloadManifest
  const images: Record<string, string> = {[m.name]: 'image:latest'}
  for (const [n, s] of Object.entries(m.sidecars ?? {})) if (s.image && typeof s.image === 'object' && 'build' in s.image) images[n] = 'image:latest'
  // The environment as Copilot's test assumed it: an internal HTTPS listener when the case says so,
  // else the internal load balancer's private hosted zone.
  const internalHttps = params.HTTPSEnabled === 'true' && m.type === 'Backend Service'
  const environment = {httpsListener: true, certificates: ['arn:cert'], internalHttpsListener: internalHttps, internalWorkloadsZone: !internalHttps}
  // An imported ALB (`http.alb`) as Copilot's own test describes it (lb_web_service_integration_test.go).
  const importedAlb = 'http' in m && m.http && m.http.alb ? IMPORTED_ALB : undefined
  return {manifest: m, stack: renderWorkloadStack({app, env, name: m.name, manifest: m, inputs: {images, environment, ...(importedAlb ? {importedAlb} : {})}})}
}



describe("Copilot's golden workload templates", () => {
  const all = workloadCases(files)
  const results: {name: string; kept: number; total: number; missing: string[]; error?: string}[] = []
  for (const c of all) {
    it(`${c.name}: renders and keeps the key properties`, () => {
      const params = JSON.parse(readFileSync(join(dir, c.params), 'utf8')).Parameters as Record<string, unknown>
      let res: (typeof results)[number]
      try {
        const {manifest, stack} = renderCase(c, params)
        const expected = keyProperties(loadTemplate(c.template), params, manifest.name)
        res = {name: c.name, ...score(expected, keyProperties(stack.template, stack.parameters, manifest.name))}
      } catch (error) {
        res = {name: c.name, kept: 0, total: 1, missing: [], error: (error as Error).message}
      }
      results.push(res)
      expect(res.error).toBeUndefined()
    })
  }
  it('keeps at least the recorded share of key properties overall', () => {
    const kept = results.reduce((a, r) => a + r.kept, 0)
    const total = results.reduce((a, r) => a + r.total, 0)
    const lines = results.map((r) => `${r.name}: ${r.kept}/${r.total}${r.error ? ` (${r.error})` : ''}${r.missing.length ? `\n    ${r.missing.join('\n    ')}` : ''}`)
    if (process.env.PIER_GOLDEN_REPORT) console.log(`${lines.join('\n')}\nkept ${kept}/${total} = ${((100 * kept) / total).toFixed(1)}%`)
    expect(results).toHaveLength(all.length)
    expect(kept / total).toBeGreaterThanOrEqual(0.95)
  })
  it("keeps the host names of Copilot's Backend Service rules", () => {
    const backend = results.filter((r) => r.name.startsWith('backend-'))
    expect(backend.length).toBeGreaterThanOrEqual(4)
    expect(backend.flatMap((r) => r.missing.filter((m) => m.includes('host-header')).map((m) => `${r.name}: ${m}`))).toEqual([])
  })
})
