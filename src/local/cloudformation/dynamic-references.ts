// Dynamic references (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm:…}}`, `{{resolve:ssm-secure:…}}`)
// resolved when a provider acts, as CloudFormation does: the stack keeps the reference (its events and
// templates never show the value); the provider gets the value. The registry the engine reads is
// wrapped, so no provider has to know about them.

import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from './provider.js'

const REFERENCE = /\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}]+)\}\}/g

async function resolveOne(service: string, spec: string, ctx: ProviderContext): Promise<string> {
  if (service === 'secretsmanager') {
    const parts = spec.split(':')
    const id = parts[0] === 'arn' ? parts.splice(0, 7).join(':') : parts.shift()!
    // Empty parts take their defaults (`{{resolve:secretsmanager:id::password}}` is common).
    const [field = '', jsonKey = '', stage = '', versionId = ''] = parts
    if (field !== '' && field !== 'SecretString') throw new ProviderError(`Dynamic reference {{resolve:secretsmanager:${spec}}}: only SecretString can be referenced`)
    let out: any
    try {
      out = await ctx.api.json('secretsmanager', 'GetSecretValue', {SecretId: id, ...(stage ? {VersionStage: stage} : {}), ...(versionId ? {VersionId: versionId} : {})})
    } catch (err) {
      throw new ProviderError(`Could not resolve the dynamic reference to secret ${id}: ${(err as Error).message}`)
    }
    const value = String(out?.SecretString ?? '')
    if (!jsonKey) return value
    let parsed: unknown
    try {
      parsed = JSON.parse(value)
    } catch {
      throw new ProviderError(`Could not parse SecretString JSON of secret ${id} for the dynamic reference's key ${jsonKey}`)
    }
    const v = (parsed as Record<string, unknown> | null)?.[jsonKey]
    if (v === undefined || !Object.hasOwn(parsed as object, jsonKey)) {
      throw new ProviderError(`Could not find SecretString key ${jsonKey} in secret ${id}`)
    }
    return typeof v === 'string' ? v : JSON.stringify(v)
  }
  const [name, version] = spec.split(':')
  try {
    const out = await ctx.api.json('AmazonSSM', 'GetParameter', {Name: version ? `${name}:${version}` : name, WithDecryption: service === 'ssm-secure'})
    return String(out?.Parameter?.Value ?? '')
  } catch (err) {
    throw new ProviderError(`Could not resolve the dynamic reference to parameter ${name}: ${(err as Error).message}`)
  }
}

async function resolveString(s: string, ctx: ProviderContext): Promise<string> {
  const found = [...s.matchAll(REFERENCE)]
  if (found.length === 0) return s
  let out = ''
  let last = 0
  for (const m of found) {
    out += s.slice(last, m.index) + (await resolveOne(m[1]!, m[2]!, ctx))
    last = m.index! + m[0].length
  }
  return out + s.slice(last)
}

/** A copy of `value` with every dynamic reference in its strings replaced by its value. */
export async function resolveDynamicReferences(value: unknown, ctx: ProviderContext): Promise<any> {
  if (typeof value === 'string') return resolveString(value, ctx)
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveDynamicReferences(v, ctx)))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null)
    for (const [k, v] of Object.entries(value)) out[k] = await resolveDynamicReferences(v, ctx)
    return {...out}
  }
  return value
}

function wrap(p: ResourceProvider): ResourceProvider {
  return {
    ...p,
    create: async (props, ctx) => p.create(await resolveDynamicReferences(props, ctx), ctx),
    ...(p.update ? {update: async (id: string, props: Record<string, any>, old: Record<string, any>, ctx: ProviderContext) =>
      p.update!(id, await resolveDynamicReferences(props, ctx), await resolveDynamicReferences(old, ctx).catch(() => old), ctx)} : {}),
  }
}

/** The registry as the engine should read it: providers see dynamic references resolved. */
export function withDynamicReferences(registry: ProviderRegistry): ProviderRegistry {
  const wrapped = new WeakMap<ResourceProvider, ResourceProvider>()
  return {
    register: (type, provider) => registry.register(type, provider),
    get(type) {
      const p = registry.get(type)
      if (!p) return undefined
      let w = wrapped.get(p)
      if (!w) wrapped.set(p, (w = wrap(p)))
      return w
    },
  }
}
