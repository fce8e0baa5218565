// A crash between a provider making a resource and the engine recording it: after the restart, the
// rollback still deletes what the interrupted create made (found through `find`, or recorded early
// through `ctx.created`), and never what a create that failed for an ordinary reason did not make.
import {afterEach, beforeEach, expect, it} from 'vitest'

import {createCloudFormation, type CloudFormation} from '../../../src/local/cloudformation/index.js'
import {ProviderError, type ResourceProvider} from '../../../src/local/cloudformation/provider.js'
import {flat, harness, tpl, type Harness} from './helpers.js'

/** Named things outside the stack records, as a service's own store keeps them across a restart. */
let live: Map<string, string>

function register(cfn: CloudFormation): void {
  const hang = (signal: AbortSignal) =>
    new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(new ProviderError('cancelled')), {once: true}))
  const base = (early: boolean): ResourceProvider => ({
    async create(props, ctx) {
      const name = String(props.Name)
      if (live.has(name)) throw new ProviderError(`${name} already exists`)
      live.set(name, ctx.stackName)
      if (early) ctx.created?.(name)
      // The crash stand-in: made, but the create never returns to the engine.
      if (props.Hang) await hang(ctx.signal)
      return {physicalId: name, attributes: {}}
    },
    async delete(name) {
      live.delete(name)
    },
  })
  cfn.registry.register('Test::Findable', {...base(false), find: async (props) => (live.has(String(props.Name)) ? String(props.Name) : undefined)})
  cfn.registry.register('Test::Early', base(true))
}

let h: Harness
let second: CloudFormation | undefined
beforeEach(async () => {
  live = new Map()
  h = await harness()
  register(h.cfn)
})
afterEach(async () => {
  await second?.close()
  second = undefined
  await h.close()
})

async function restartAfterCrash(): Promise<CloudFormation> {
  // A second control plane on the same state, as after a crash (the first one never finishes).
  second = createCloudFormation({stateDir: h.dir, api: h.api, region: 'us-east-1', accountId: '000000000000', providers: {servicePollMs: 1}, minuteMs: 50})
  register(second)
  await new Promise((r) => setImmediate(r))
  await second.idle()
  return second
}

async function describe(cfn: CloudFormation, name: string): Promise<any> {
  return ((await cfn.service.handle('DescribeStacks', flat({StackName: name}), h.api.context())) as any).Stacks[0]
}

it('deletes, after a crash, what an interrupted create made before its id was recorded', async () => {
  await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({
    Found: {Type: 'Test::Findable', Properties: {Name: 'ns-1', Hang: true}},
    Recorded: {Type: 'Test::Early', Properties: {Name: 'svc-1', Hang: true}},
  })})
  while (live.size < 2) await new Promise((r) => setTimeout(r, 5))
  const cfn = await restartAfterCrash()
  expect((await describe(cfn, 'demo')).StackStatus).toBe('ROLLBACK_COMPLETE')
  expect([...live.keys()]).toEqual([])
})

it('never deletes a same-named resource that an ordinary failed create did not make', async () => {
  live.set('taken', 'someone else')
  await h.call('CreateStack', {StackName: 'demo', TemplateBody: tpl({Clash: {Type: 'Test::Findable', Properties: {Name: 'taken'}}})})
  expect((await h.settle('demo')).StackStatus).toBe('ROLLBACK_COMPLETE')
  expect(live.get('taken')).toBe('someone else')
})
