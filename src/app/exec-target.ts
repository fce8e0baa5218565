// Where `pier svc exec` and `pier task exec` run: the ECS cluster and service of a workload in an
// environment (from its stack), or an environment's cluster (from the environment stack's outputs).
import {isAwsError} from '../aws/errors.js'
import type {StacksApi} from '../aws/interfaces.js'
import {UserError} from '../errors.js'
import {serviceFromPhysicalId} from '../deploy/rollout.js'
import {partitionOf, roleStatements} from './iam-policy.js'
import {ENV_OUTPUTS, environmentStackName, workloadStackName} from '../render/names.js'

export interface ServiceTarget {
  cluster: string
  service: string
}

async function stackMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call
  } catch (e) {
    if (isAwsError(e, 'ValidationError') && /does not exist/i.test(e.message)) return undefined
    throw e
  }
}

export async function serviceTarget(stacks: Pick<StacksApi, 'describeStackResources'>, app: string, env: string, name: string): Promise<ServiceTarget> {
  const stackName = workloadStackName(app, env, name)
  const out = await stackMissing(stacks.describeStackResources({StackName: stackName}))
  const res = out?.StackResources?.find((r) => r.ResourceType === 'AWS::ECS::Service')
  const ref = res?.PhysicalResourceId ? serviceFromPhysicalId(res.LogicalResourceId ?? 'Service', res.PhysicalResourceId) : undefined
  if (!ref) {
    throw new UserError(`Service ${name} is not deployed in environment ${env}.`, {hint: `Deploy it with \`pier svc deploy -n ${name} -e ${env}\`, then run exec again.`})
  }
  return {cluster: ref.cluster, service: ref.serviceArn.slice(ref.serviceArn.lastIndexOf('/') + 1)}
}

export async function environmentCluster(stacks: Pick<StacksApi, 'describeStacks'>, app: string, env: string): Promise<string> {
  const out = await stackMissing(stacks.describeStacks({StackName: environmentStackName(app, env)}))
  const cluster = out?.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === ENV_OUTPUTS.cluster)?.OutputValue
  if (!cluster) throw new UserError(`Environment ${env} of ${app} is not deployed.`, {hint: `Deploy it with \`pier env deploy --name ${env}\`, or pass --cluster.`})
  return cluster
}

/**
 * Reads the statements of a task role that the service's own stack created, from the deployed
 * template (for exec's check of the ssmmessages actions). Undefined when the role is not the stack's.
 */
export function serviceRoleStatements(
  stacks: Pick<StacksApi, 'describeStackResources' | 'getTemplate'>,
  region: string,
  app: string,
  env: string,
  name: string,
): (roleArn: string) => Promise<unknown[] | undefined> {
  const stackName = workloadStackName(app, env, name)
  return async (roleArn) => {
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1)
    const resources = (await stacks.describeStackResources({StackName: stackName})).StackResources ?? []
    const role = resources.find((r) => r.ResourceType === 'AWS::IAM::Role' && r.PhysicalResourceId === roleName)
    if (!role?.LogicalResourceId) return undefined
    const body = (await stacks.getTemplate({StackName: stackName, TemplateStage: 'Original'})).TemplateBody
    let template: Record<string, unknown>
    try {
      template = JSON.parse(body ?? '') as Record<string, unknown>
    } catch {
      return undefined
    }
    const account = /^arn:[^:]+:iam::(\d+):/.exec(roleArn)?.[1]
    const refs = {'AWS::Partition': partitionOf(region), 'AWS::Region': region, 'AWS::AccountId': account, 'AWS::StackName': stackName, 'AWS::URLSuffix': 'amazonaws.com'}
    return roleStatements(template, role.LogicalResourceId, {refs})
  }
}
