// The data services stacks declare, run for real: RDS (PostgreSQL, MariaDB), ElastiCache (Redis) under
// one server supervisor, DynamoDB (served by the control plane itself), S3 buckets, and the resource types recorded only. Servers recorded by an earlier
// run start again here; they stop when the control plane closes.

import type {ProviderRegistry} from './cloudformation/provider.js'
import {registerDynamoDbProviders} from './cloudformation/providers/dynamodb.js'
import {registerElastiCacheProviders} from './cloudformation/providers/elasticache.js'
import {registerRecordedOnlyProviders} from './cloudformation/providers/recorded-only.js'
import {registerRdsProviders} from './cloudformation/providers/rds.js'
import {registerS3Providers} from './cloudformation/providers/s3.js'
import type {ControlPlane} from './control-plane.js'
import {DynamoDbService} from './dynamodb/service.js'
import {LocalCache} from './elasticache/index.js'
import {LocalRds} from './rds/index.js'
import {ServerSupervisor} from './servers/supervisor.js'

export interface DataServices {
  supervisor: ServerSupervisor
  registerProviders(registry: ProviderRegistry): void
}

export async function startDataServices(cp: ControlPlane, log?: (line: string) => void): Promise<DataServices> {
  const supervisor = new ServerSupervisor({stateDir: cp.stateDir, ...(log ? {log} : {})})
  await supervisor.resume()
  cp.onClose(() => supervisor.close())
  const rds = new LocalRds(cp.stateDir, supervisor)
  const cache = new LocalCache(cp.stateDir, supervisor)
  const dynamodb = new DynamoDbService(cp.stateDir, {region: cp.region, accountId: cp.accountId})
  cp.register({json: [dynamodb]})
  cp.onClose(() => dynamodb.store.flush())
  return {
    supervisor,
    registerProviders(registry) {
      registerS3Providers(registry, cp.s3)
      registerRdsProviders(registry, rds)
      registerElastiCacheProviders(registry, cache)
      registerDynamoDbProviders(registry)
      registerRecordedOnlyProviders(registry)
    },
  }
}
