// Why exec cannot start, named before a session is opened or as soon as its opening fails: exec not
// enabled on the task, the ExecuteCommand managed agent not RUNNING, a task role without the
// ssmmessages actions the agent needs, a KMS key the caller cannot use. Each is one sentence and a fix.
import {UserError} from '../errors.js'
import {evaluatePolicy} from './iam-policy.js'

/** What ECS Exec's agent calls from inside the task, with the task role's credentials. */
export const EXEC_AGENT_ACTIONS = ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel']

export interface ExecCheckTask {
  taskArn?: string
  taskDefinitionArn?: string
  overrides?: {taskRoleArn?: string}
}

export interface ExecCheckDeps {
  /** ECS DescribeTaskDefinition, to find the task role. */
  describeTaskDefinition?(input: {taskDefinition: string}): Promise<{taskDefinition?: {taskRoleArn?: string}}>
  /** The task role's policy statements when they can be read (a Pier-deployed service's stack), else undefined. */
  roleStatements?(roleArn: string): Promise<unknown[] | undefined>
}

export interface ExecCheckSubject {
  taskId: string
  /** e.g. "service web in environment test". */
  subject: string
  /** How to turn exec on (manifest field and redeploy, or RunTask's flag). */
  enableHint: string
  /** How to give the task role what exec needs. */
  roleHint?: string
}

export function execNotEnabled(s: ExecCheckSubject): UserError {
  return new UserError(`Exec is not enabled on task ${s.taskId} of ${s.subject}: it was started without ECS Exec.`, {hint: s.enableHint})
}

export function agentNotRunning(s: ExecCheckSubject, container: string, status: string | undefined, reason: string | undefined): UserError {
  const state = status ? status.toUpperCase() : 'not reported'
  return new UserError(`The ExecuteCommand agent of task ${s.taskId} (container ${container}) is ${state}, not RUNNING${reason ? ` (${reason})` : ''}.`, {
    hint: 'Wait a few seconds after the task starts and run exec again; if it stays so, start a new task (tasks started before exec was enabled never get the agent).',
  })
}

export function agentNotConnected(s: ExecCheckSubject, container: string, why: string): UserError {
  return new UserError(`The exec agent of task ${s.taskId} (container ${container}) is not connected: ${why}.`, {
    hint: 'Wait a few seconds after the task starts and try again. On AWS, the task role needs the ssmmessages permissions that exec uses.',
  })
}

/**
 * Whether the task role lets the agent connect: a role must exist, and when its statements can be
 * read they must allow every ssmmessages action. Undefined when nothing wrong can be shown.
 */
export async function taskRoleProblem(task: ExecCheckTask, s: ExecCheckSubject, deps: ExecCheckDeps): Promise<UserError | undefined> {
  let roleArn = task.overrides?.taskRoleArn
  if (!roleArn) {
    if (!deps.describeTaskDefinition || !task.taskDefinitionArn) return undefined
    try {
      roleArn = (await deps.describeTaskDefinition({taskDefinition: task.taskDefinitionArn})).taskDefinition?.taskRoleArn
    } catch {
      return undefined
    }
    if (!roleArn) {
      return new UserError(`Task ${s.taskId} of ${s.subject} has no task role, and ECS Exec's agent needs one that allows the ssmmessages actions.`, {
        hint: s.roleHint ?? roleHintFor(s),
      })
    }
  }
  let statements: unknown[] | undefined
  try {
    statements = await deps.roleStatements?.(roleArn)
  } catch {
    return undefined
  }
  if (!statements) return undefined
  const missing = EXEC_AGENT_ACTIONS.filter((action) => {
    const d = evaluatePolicy(statements!, {action, resource: '*', context: {}, knownPrefixes: []}).decision
    return d === 'denied' || d === 'implicit-deny'
  })
  if (missing.length === 0) return undefined
  const role = roleArn.slice(roleArn.lastIndexOf('/') + 1)
  return new UserError(`The task role ${role} of task ${s.taskId} does not allow ${missing.join(', ')}, which ECS Exec's agent needs to connect.`, {
    hint: s.roleHint ?? roleHintFor(s),
  })
}

function roleHintFor(s: ExecCheckSubject): string {
  return `Allow ${EXEC_AGENT_ACTIONS.join(', ')} (Resource "*") in the task role, then start new tasks. ${s.enableHint}`
}

/** The caller's KMS call for the session's data key failed: the cluster encrypts exec sessions with a key it cannot use. */
export function kmsKeyUnusable(cluster: string, keyId: string, reason: string): UserError {
  const name = cluster.slice(cluster.lastIndexOf('/') + 1)
  return new UserError(`Your credentials cannot use the KMS key ${keyId} that cluster ${name} encrypts exec sessions with: ${reason.replace(/\.$/, '')}.`, {
    hint: `Allow kms:GenerateDataKey on that key to your IAM identity (and kms:Decrypt to the task role), or remove kmsKeyId from the cluster's executeCommandConfiguration.`,
  })
}

/** The task's agent could not decrypt the session's data key: the task role cannot use the key. */
export function kmsKeyUnusableByTask(s: ExecCheckSubject, reason: string): UserError {
  return new UserError(`The exec agent of task ${s.taskId} could not decrypt the session key: ${reason.replace(/\.$/, '')}.`, {
    hint: "Allow kms:Decrypt on the cluster's exec KMS key to the task role, then start new tasks.",
  })
}
