// The core providers: everything below ELB, Cloud Map, schedules and scaling, which other parts add.

import type {ProviderRegistry} from '../provider.js'
import {registerEc2Providers} from './ec2.js'
import {registerEcsProviders} from './ecs.js'
import {registerIamProviders} from './iam.js'
import {registerLogsProviders} from './logs.js'
import {createRecordStore, type RecordStore} from './records.js'
import {registerSecretsManagerProviders} from './secretsmanager.js'
import {registerSsmProviders} from './ssm.js'

/** Registers the core providers; returns a function that writes their pending state (call it on shutdown). */
export function registerCoreProviders(registry: ProviderRegistry, opts: {stateDir?: string; servicePollMs?: number; records?: RecordStore} = {}): () => void {
  // Shared with the local EC2 API when given: a VPC made with `aws ec2 create-vpc` can hold a stack's security groups.
  const records = opts.records ?? createRecordStore(opts.stateDir)
  registerIamProviders(registry, records)
  registerEc2Providers(registry, records)
  registerLogsProviders(registry)
  registerSsmProviders(registry)
  registerSecretsManagerProviders(registry)
  registerEcsProviders(registry, opts.servicePollMs !== undefined ? {pollMs: opts.servicePollMs} : {})
  return () => records.flush()
}

export {registerEc2Providers, registerEcsProviders, registerIamProviders, registerLogsProviders, registerSecretsManagerProviders, registerSsmProviders}
