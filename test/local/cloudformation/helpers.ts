// Test doubles for the CloudFormation engine: a LocalApi with small in-memory SSM, Logs and Secrets
// Manager services, a provider that can be told to fail or wait, and a harness that drives the API.

import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {LocalApi} from '../../../src/local/contracts.js'
import {ServiceError} from '../../../src/local/frontend/types.js'
import {createCloudFormation, type CloudFormation} from '../../../src/local/cloudformation/index.js'
import {ProviderError, type ProviderRegistry, type ResourceProvider} from '../../../src/local/cloudformation/provider.js'

export interface FakeApi extends LocalApi {
  ssm: Map<string, string>
  logs: Map<string, {retention?: number}>
  secrets: Map<string, string | undefined>
  handlers: Map<string, (input: Record<string, any>) => unknown>
}

export function fakeApi(): FakeApi {
  const ssm = new Map<string, string>()
  const logs = new Map<string, {retention?: number}>()
  const secrets = new Map<string, string | undefined>()
  const handlers = new Map<string, (input: Record<string, any>) => unknown>()
  const on = (name: string, fn: (input: Record<string, any>) => unknown) => handlers.set(name, fn)
  on('AmazonSSM.PutParameter', (i) => {
    const name = String(i.Name)
    if (/^\/?(aws|ssm)/i.test(name) || !/^[a-zA-Z0-9_.\-/]+$/.test(name)) {
      throw new ServiceError('ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`)
    }
    if (ssm.has(name) && !i.Overwrite) throw new ServiceError('ParameterAlreadyExists', 'The parameter already exists.')
    ssm.set(name, String(i.Value))
    return {Version: 1}
  })
  on('AmazonSSM.GetParameter', (i) => {
    if (!ssm.has(i.Name)) throw new ServiceError('ParameterNotFound', '')
    return {Parameter: {Name: i.Name, Value: ssm.get(i.Name)}}
  })
  on('AmazonSSM.DeleteParameter', (i) => {
    if (!ssm.delete(i.Name)) throw new ServiceError('ParameterNotFound', '')
    return {}
  })
  on('Logs_20140328.CreateLogGroup', (i) => {
    if (logs.has(i.logGroupName)) throw new ServiceError('ResourceAlreadyExistsException', 'The specified log group already exists')
    logs.set(i.logGroupName, {})
    return {}
  })
  on('Logs_20140328.PutRetentionPolicy', (i) => {
    if (![1, 3, 5, 7, 14, 30, 60, 90, 365].includes(i.retentionInDays)) throw new ServiceError('InvalidParameterException', 'invalid retention')
    logs.get(i.logGroupName)!.retention = i.retentionInDays
    return {}
  })
  on('Logs_20140328.DeleteRetentionPolicy', (i) => {
    delete logs.get(i.logGroupName)!.retention
    return {}
  })
  on('Logs_20140328.DeleteLogGroup', (i) => {
    if (!logs.delete(i.logGroupName)) throw new ServiceError('ResourceNotFoundException', 'The specified log group does not exist.')
    return {}
  })
  on('secretsmanager.CreateSecret', (i) => {
    const arn = `arn:aws:secretsmanager:us-east-1:000000000000:secret:${i.Name}-AbCdEf`
    secrets.set(arn, i.SecretString)
    return {ARN: arn, Name: i.Name}
  })
  on('secretsmanager.UpdateSecret', (i) => {
    if (i.SecretString !== undefined) secrets.set(i.SecretId, i.SecretString)
    return {ARN: i.SecretId}
  })
  on('secretsmanager.DeleteSecret', (i) => {
    if (!secrets.delete(i.SecretId)) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.")
    return {}
  })
  return {
    ssm, logs, secrets, handlers,
    async json(target, op, input) {
      const h = handlers.get(`${target}.${op}`)
      if (!h) throw new ServiceError('UnknownOperationException', `${target}.${op} is not faked`)
      return h(input)
    },
    context: () => ({requestId: 'req-1', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'AK'}),
  }
}

/** Live `Test::Thing` resources, by physical id, and what the test provider has seen. */
export interface ThingWorld {
  live: Map<string, Record<string, any>>
  log: string[]
  inFlight: number
  maxInFlight: number
}

/**
 * `Test::Thing`: properties `Name` (immutable), `Value`, `FailCreate`, `FailUpdate`, `FailDelete`, `DelayMs`.
 * Attributes: `Value`, `Upper`.
 */
export function registerThing(registry: ProviderRegistry): ThingWorld {
  const world: ThingWorld = {live: new Map(), log: [], inFlight: 0, maxInFlight: 0}
  let n = 0
  const work = async (props: Record<string, any>, signal: AbortSignal) => {
    world.inFlight++
    world.maxInFlight = Math.max(world.maxInFlight, world.inFlight)
    try {
      // A crash stand-in: the operation only ends when cancelled (no timer keeps the process alive).
      if (props.Hang === true || props.Hang === 'true') {
        await new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(new ProviderError('cancelled')), {once: true}))
      }
      if (props.DelayMs) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, Number(props.DelayMs))
          signal.addEventListener('abort', () => {
            clearTimeout(t)
            reject(new ProviderError('cancelled'))
          }, {once: true})
        })
      }
    } finally {
      world.inFlight--
    }
  }
  const provider: ResourceProvider = {
    immutable: ['Name'],
    async create(props, ctx) {
      await work(props, ctx.signal)
      if (props.FailCreate === true || props.FailCreate === 'true') throw new ProviderError(`Thing ${ctx.logicalId} refused to be created`)
      const id = `thing-${props.Name ?? ctx.logicalId}-${++n}`
      world.live.set(id, props)
      world.log.push(`create ${ctx.logicalId} ${id}`)
      return {physicalId: id, attributes: {Value: props.Value, Upper: String(props.Value ?? '').toUpperCase()}}
    },
    async update(id, props, _old, ctx) {
      await work(props, ctx.signal)
      if (props.FailUpdate === true || props.FailUpdate === 'true') throw new ProviderError(`Thing ${ctx.logicalId} refused the update`)
      world.live.set(id, props)
      world.log.push(`update ${ctx.logicalId} ${id}`)
      return {physicalId: id, attributes: {Value: props.Value, Upper: String(props.Value ?? '').toUpperCase()}}
    },
    async delete(id, props, ctx) {
      if (props.FailDelete === true || props.FailDelete === 'true') throw new ProviderError(`Thing ${ctx.logicalId} refused to go`)
      world.live.delete(id)
      world.log.push(`delete ${ctx.logicalId} ${id}`)
    },
  }
  registry.register('Test::Thing', provider)
  return world
}

/** Flattens `{Parameters: [{ParameterKey: 'a'}], Capabilities: ['X']}` into query form. */
export function flat(input: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (typeof item === 'object' && item !== null) {
          for (const [f, fv] of Object.entries(item)) out[`${k}.member.${i + 1}.${f}`] = String(fv)
        } else out[`${k}.member.${i + 1}`] = String(item)
      })
    } else out[k] = String(v)
  }
  return out
}

export interface Harness {
  dir: string
  cfn: CloudFormation
  api: FakeApi
  world: ThingWorld
  call(action: string, input?: Record<string, unknown>): Promise<any>
  /** Waits for the running operations to finish and returns the stack's description. */
  settle(stackName: string): Promise<any>
  events(stackName: string): Promise<any[]>
  restart(): Promise<void>
  close(): Promise<void>
}

export async function harness(opts: {dir?: string; api?: FakeApi} = {}): Promise<Harness> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'pier-cfn-'))
  const api = opts.api ?? fakeApi()
  const make = () => {
    const cfn = createCloudFormation({stateDir: dir, api, region: 'us-east-1', accountId: '000000000000', providers: {servicePollMs: 1}, minuteMs: 50})
    return {cfn, world: registerThing(cfn.registry)}
  }
  let {cfn, world} = make()
  const h: Harness = {
    dir, api,
    get cfn() {
      return cfn
    },
    get world() {
      return world
    },
    call: (action, input = {}) => cfn.service.handle(action, flat(input), api.context()) as Promise<any>,
    async settle(stackName) {
      await cfn.idle()
      const out = await h.call('DescribeStacks', {StackName: stackName})
      return out.Stacks[0]
    },
    async events(stackName) {
      const out = await h.call('DescribeStackEvents', {StackName: stackName})
      return [...out.StackEvents].reverse()
    },
    async restart() {
      await cfn.close()
      ;({cfn, world} = make())
      await new Promise((r) => setImmediate(r))
      await cfn.idle()
    },
    async close() {
      await cfn.close()
      if (!opts.dir) rmSync(dir, {recursive: true, force: true})
    },
  }
  return h
}

export function tpl(resources: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({AWSTemplateFormatVersion: '2010-09-09', ...extra, Resources: resources})
}
