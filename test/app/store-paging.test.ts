// The application store lists records with GetParametersByPath, which answers a page at a time (the local
// SSM, like AWS, pages by 10). Listed against the real local control plane, with more than two pages.
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {createAwsClients} from '../../src/aws/clients.js'
import type {AwsClients} from '../../src/aws/interfaces.js'
import {AppStore} from '../../src/app/store.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {startControlPlane, type Harness} from '../local/helpers.js'

let h: Harness
let aws: AwsClients
let store: AppStore

beforeAll(async () => {
  h = await startControlPlane()
  vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_ACCESS_KEY_ID)
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_SECRET_ACCESS_KEY)
  vi.stubEnv('AWS_PROFILE', undefined)
  aws = await createAwsClients({region: h.config.region, endpoint: h.config.endpoint})
  store = new AppStore(aws.parameters)
})
afterAll(async () => {
  vi.unstubAllEnvs()
  await h?.close()
})

const names = (prefix: string, n: number) => Array.from({length: n}, (_, i) => `${prefix}${String(i).padStart(2, '0')}`)

describe('AppStore over the local SSM', () => {
  it('lists every application, environment and workload across pages', async () => {
    const apps = names('app', 23)
    const envs = names('env', 12)
    const workloads = names('svc', 21)
    for (const name of apps) await store.putApp({name})
    for (const name of envs) await store.putEnv({app: 'app00', name, region: 'us-east-1'})
    for (const name of workloads) await store.putWorkload({app: 'app00', name, type: 'Backend Service'})

    const before = aws.callCount()
    expect((await store.listApps()).map((a) => a.name)).toEqual(apps)
    // The listing took several pages: otherwise this test says nothing about paging.
    expect(aws.callCount() - before).toBeGreaterThanOrEqual(3)
    expect((await store.listEnvs('app00')).map((e) => e.name)).toEqual(envs)
    expect((await store.listWorkloads('app00')).map((w) => w.name)).toEqual(workloads)
  })
})
