import {describe, expect, it} from 'vitest'

import {AppStore} from '../../src/app/store.js'
import {ensureApp} from '../../src/app/workspace.js'
import {fakeSsm} from './fake-ssm.js'

describe('AppStore', () => {
  it('keeps records under Copilot\'s parameter paths as JSON', async () => {
    const ssm = fakeSsm()
    const store = new AppStore(ssm)
    await store.putApp({name: 'demo', account: '123456789012'})
    await store.putEnv({app: 'demo', name: 'test', region: 'eu-west-1', accountID: '123456789012', prod: false})
    await store.putWorkload({app: 'demo', name: 'web', type: 'Load Balanced Web Service'})
    expect([...ssm.values.keys()].sort()).toEqual(['/copilot/applications/demo', '/copilot/applications/demo/components/web', '/copilot/applications/demo/environments/test'])
    expect(JSON.parse(ssm.values.get('/copilot/applications/demo/components/web')!)).toEqual({app: 'demo', name: 'web', type: 'Load Balanced Web Service'})
  })

  it('lists applications written by Copilot next to Pier\'s, one level deep', async () => {
    const ssm = fakeSsm()
    ssm.values.set('/copilot/applications/legacy', JSON.stringify({name: 'legacy', account: '1', version: 'v1.2.0'}))
    ssm.values.set('/copilot/applications/legacy/environments/prod', JSON.stringify({app: 'legacy', name: 'prod', region: 'us-east-1'}))
    const store = new AppStore(ssm)
    await store.putApp({name: 'demo'})
    expect((await store.listApps()).map((a) => a.name)).toEqual(['demo', 'legacy'])
    expect((await store.listEnvs('legacy')).map((e) => e.name)).toEqual(['prod'])
  })

  it('answers undefined for a missing record and deletes idempotently', async () => {
    const store = new AppStore(fakeSsm())
    expect(await store.getApp('nope')).toBeUndefined()
    await store.deleteWorkload('demo', 'web')
    await store.putWorkload({app: 'demo', name: 'web', type: 'Backend Service'})
    await store.deleteWorkload('demo', 'web')
    expect(await store.getWorkload('demo', 'web')).toBeUndefined()
  })

  it("writes a new application's record in Copilot's layout version", async () => {
    const ssm = fakeSsm()
    const store = new AppStore(ssm)
    const ctx = {store, aws: {identity: {getCallerIdentity: async () => ({Account: '123456789012'})}}, emit: () => undefined} as unknown as Parameters<typeof ensureApp>[0]
    await ensureApp(ctx, 'demo')
    expect(JSON.parse(ssm.values.get('/copilot/applications/demo')!)).toEqual({name: 'demo', account: '123456789012', version: '1.0', tags: {}})
  })

  it('reads a record once per command, sees its own writes and deletes, and gives each caller a copy', async () => {
    const ssm = fakeSsm()
    let reads = 0
    const counted = {...ssm, getParameter: (input: Parameters<typeof ssm.getParameter>[0]) => (reads++, ssm.getParameter(input))}
    const store = new AppStore(counted)
    ssm.values.set('/copilot/applications/demo/environments/test', JSON.stringify({app: 'demo', name: 'test', region: 'eu-west-1'}))
    const [a, b] = await Promise.all([store.getEnv('demo', 'test'), store.getEnv('demo', 'test')])
    a!.region = 'changed'
    expect((await store.getEnv('demo', 'test'))!.region).toBe('eu-west-1')
    expect(b).not.toBe(a)
    expect(reads).toBe(1)
    await store.putEnv({app: 'demo', name: 'test', region: 'us-west-2'})
    expect((await store.getEnv('demo', 'test'))!.region).toBe('us-west-2')
    await store.deleteEnv('demo', 'test')
    expect(await store.getEnv('demo', 'test')).toBeUndefined()
    expect(await store.getApp('none')).toBeUndefined()
    expect(await store.getApp('none')).toBeUndefined()
    expect(reads).toBe(2)
  })
})
