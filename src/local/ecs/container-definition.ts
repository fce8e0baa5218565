// Shape checks of a container definition's fields (what the ECS API's model enforces before the
// semantic checks), so a malformed definition is a ClientException, never a task that fails oddly.

import {clientException} from './input.js'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isStrings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string')

function pairs(c: Record<string, unknown>, key: string, valueKey: 'value' | 'valueFrom'): void {
  const v = c[key]
  if (v === undefined) return
  if (!Array.isArray(v) || !v.every((x) => isObject(x) && typeof x.name === 'string' && (x[valueKey] === undefined || typeof x[valueKey] === 'string'))) {
    throw clientException(`Container '${String(c.name)}': ${key} must be a list of {name, ${valueKey}} with string values.`)
  }
  if (valueKey === 'valueFrom' && !v.every((x) => typeof x.valueFrom === 'string' && x.valueFrom !== '')) {
    throw clientException(`Container '${String(c.name)}': every secret needs a valueFrom.`)
  }
}

export function checkContainerShape(c: Record<string, unknown>): void {
  const name = String(c.name)
  for (const key of ['command', 'entryPoint', 'dnsServers', 'links']) {
    if (c[key] !== undefined && !isStrings(c[key])) throw clientException(`Container '${name}': ${key} must be a list of strings.`)
  }
  pairs(c, 'environment', 'value')
  pairs(c, 'secrets', 'valueFrom')
  for (const key of ['cpu', 'memory', 'memoryReservation', 'stopTimeout', 'startTimeout']) {
    if (c[key] !== undefined && (typeof c[key] !== 'number' || !Number.isInteger(c[key]) || (c[key] as number) < 0)) {
      throw clientException(`Container '${name}': ${key} must be a non-negative integer.`)
    }
  }
  if (c.essential !== undefined && typeof c.essential !== 'boolean') throw clientException(`Container '${name}': essential must be a boolean.`)
  if (c.workingDirectory !== undefined && typeof c.workingDirectory !== 'string') throw clientException(`Container '${name}': workingDirectory must be a string.`)
  if (c.portMappings !== undefined) {
    const ok = Array.isArray(c.portMappings) && c.portMappings.every((p) => isObject(p) && Number.isInteger(p.containerPort) && (p.containerPort as number) > 0 && (p.containerPort as number) < 65536)
    if (!ok) throw clientException(`Container '${name}': portMappings must be a list with a containerPort between 1 and 65535 each.`)
  }
  if (c.healthCheck !== undefined) {
    const hc = c.healthCheck
    if (!isObject(hc) || !isStrings(hc.command) || (hc.command as string[]).length === 0) {
      throw clientException(`Container '${name}': healthCheck.command must be a non-empty list of strings.`)
    }
  }
  if (c.logConfiguration !== undefined) {
    const lc = c.logConfiguration
    if (!isObject(lc) || typeof lc.logDriver !== 'string' || (lc.options !== undefined && !isObject(lc.options))) {
      throw clientException(`Container '${name}': logConfiguration needs a logDriver and options as a map of strings.`)
    }
  }
  if (c.dockerLabels !== undefined && (!isObject(c.dockerLabels) || !Object.values(c.dockerLabels).every((v) => typeof v === 'string'))) {
    throw clientException(`Container '${name}': dockerLabels must be a map of strings.`)
  }
  if (c.dependsOn !== undefined) {
    const ok = Array.isArray(c.dependsOn) && c.dependsOn.every((d) => isObject(d) && typeof d.containerName === 'string' && ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'].includes(d.condition as string))
    if (!ok) throw clientException(`Container '${name}': dependsOn must list {containerName, condition} with condition START, COMPLETE, SUCCESS or HEALTHY.`)
  }
}

/** RunTask's containerOverrides: names, commands and environment in the right shapes. */
export function checkOverrideShape(o: unknown, invalid: (m: string) => Error): void {
  if (!isObject(o)) throw invalid('containerOverrides must be a list of structures.')
  if (o.command !== undefined && !isStrings(o.command)) throw invalid('containerOverrides.command must be a list of strings.')
  const env = o.environment
  if (env !== undefined && !(Array.isArray(env) && env.every((x) => isObject(x) && typeof x.name === 'string' && (x.value === undefined || typeof x.value === 'string')))) {
    throw invalid('containerOverrides.environment must be a list of {name, value} with string values.')
  }
  for (const key of ['cpu', 'memory', 'memoryReservation']) {
    if (o[key] !== undefined && !Number.isInteger(o[key])) throw invalid(`containerOverrides.${key} must be an integer.`)
  }
}
