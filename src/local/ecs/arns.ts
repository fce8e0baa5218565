// ECS resource names: building ARNs and resolving the "name or ARN" arguments the API accepts.

import {randomBytes, randomUUID} from 'node:crypto'

export interface Scope {
  region: string
  accountId: string
}

const prefix = (s: Scope) => `arn:aws:ecs:${s.region}:${s.accountId}`

export const clusterArn = (s: Scope, name: string) => `${prefix(s)}:cluster/${name}`
export const taskDefinitionArn = (s: Scope, family: string, revision: number) => `${prefix(s)}:task-definition/${family}:${revision}`
export const taskArn = (s: Scope, cluster: string, id: string) => `${prefix(s)}:task/${cluster}/${id}`
export const serviceArn = (s: Scope, cluster: string, name: string) => `${prefix(s)}:service/${cluster}/${name}`
export const containerArn = (s: Scope, cluster: string, taskId: string) => `${prefix(s)}:container/${cluster}/${taskId}/${randomUUID()}`
export const capacityProviderArn = (s: Scope, name: string) => `${prefix(s)}:capacity-provider/${name}`

/** A task id as ECS makes them: 32 hex digits. */
export const newTaskId = () => randomBytes(16).toString('hex')

/** A deployment id as ECS makes them: `ecs-svc/` and 19 digits. */
export function newDeploymentId(): string {
  let digits = String(1 + (randomBytes(1)[0]! % 9))
  while (digits.length < 19) digits += String(randomBytes(1)[0]! % 10)
  return `ecs-svc/${digits}`
}

/** The last path segment of an ARN, or the value itself when it is a name. */
export function nameOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn
  const resource = nameOrArn.split(':').slice(5).join(':')
  return resource.slice(resource.lastIndexOf('/') + 1)
}

/** Parses `family`, `family:rev` or a task definition ARN. */
export function parseTaskDefinitionRef(ref: string): {family: string; revision?: number} {
  let rest = ref
  if (ref.startsWith('arn:')) {
    const resource = ref.split(':').slice(5).join(':')
    rest = resource.replace(/^task-definition\//, '')
  }
  const m = /^([^:]+)(?::(\d+))?$/.exec(rest)
  if (!m) return {family: rest}
  return m[2] === undefined ? {family: m[1]!} : {family: m[1]!, revision: Number(m[2])}
}
