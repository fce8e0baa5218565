// CloudWatch Logs resource policies (PutResourcePolicy, DescribeResourcePolicies, DeleteResourcePolicy):
// the account-wide policies that let AWS services write to log groups, as environment templates declare
// them (Copilot's `LogResourcePolicy`). Kept and returned as AWS keeps them, up to AWS's ten per region;
// the local control plane does not enforce them (nothing it runs is refused a log write).
import {join} from 'node:path'

import {ServiceError} from '../frontend/types.js'
import type {InputReader} from '../frontend/json-input.js'
import {JsonDocument} from '../store/json-file.js'

export interface ResourcePolicy {
  policyName: string
  policyDocument: string
  lastUpdatedTime: number
}

/** AWS's quota of resource policies per account and region. */
export const MAX_RESOURCE_POLICIES = 10

export class ResourcePolicies {
  private readonly doc: JsonDocument<{policies: Record<string, ResourcePolicy>}>

  constructor(stateDir: string) {
    this.doc = new JsonDocument(join(stateDir, 'logs', 'resource-policies.json'), {policies: {}})
  }

  put(r: InputReader): {resourcePolicy: ResourcePolicy} {
    const policyName = r.string('policyName')
    const policyDocument = r.string('policyDocument')
    try {
      JSON.parse(policyDocument)
    } catch {
      throw new ServiceError('InvalidParameterException', 'Policy document is not valid JSON.')
    }
    const policies = this.doc.value.policies
    if (!policies[policyName] && Object.keys(policies).length >= MAX_RESOURCE_POLICIES) {
      throw new ServiceError('LimitExceededException', `Resource limit exceeded: an account can have up to ${MAX_RESOURCE_POLICIES} resource policies per region.`)
    }
    const policy = {policyName, policyDocument, lastUpdatedTime: Date.now()}
    policies[policyName] = policy
    this.doc.save()
    return {resourcePolicy: policy}
  }

  describe(): {resourcePolicies: ResourcePolicy[]} {
    return {resourcePolicies: Object.values(this.doc.value.policies).sort((a, b) => a.policyName.localeCompare(b.policyName))}
  }

  delete(r: InputReader): Record<string, never> {
    const name = r.string('policyName')
    if (!this.doc.value.policies[name]) throw new ServiceError('ResourceNotFoundException', 'Policy with name [' + name + '] does not exist')
    delete this.doc.value.policies[name]
    this.doc.save()
    return {}
  }
}
