// `pier job run`: as in Copilot, a run is an execution of the job's state machine, so a run by hand gets
// the job's timeout and retries and shows in the state machine's history next to the scheduled ones.
// (1) Find the state machine in the job's stack; (2) start an execution; (3) with --follow, follow
// each attempt's task until the execution ends (see job-follow.ts).
import {UserError} from '../errors.js'
import {event} from '../deploy/events.js'
import {describe} from '../deploy/stack-watch.js'
import {reachEnvironment} from './env-access.js'
import type {AppContext} from './context.js'
import {followExecution, type ExecutionOutcome} from './job-follow.js'
import {logGroupName, workloadStackName} from '../render/names.js'

export interface JobRunInput {
  app: string
  name: string
  env: string
  follow: boolean
  /** Each log line of the job's container, while following. */
  onLog: (line: string) => void
}

export interface JobRunResult extends Partial<ExecutionOutcome> {
  executionArn: string
  stateMachineArn: string
  startDate?: string
}

// Stacks whose resources are not (or no longer) there to run.
const NOT_DEPLOYED = new Set(['REVIEW_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE'])

export async function runJob(ctx: AppContext, input: JobRunInput): Promise<JobRunResult> {
  ctx = await reachEnvironment(ctx, input.app, input.env)
  // 1. The job's state machine.
  const stackName = workloadStackName(input.app, input.env, input.name)
  const stack = await describe(ctx, stackName)
  if (!stack || NOT_DEPLOYED.has(stack.StackStatus ?? '')) {
    const creating = stack?.StackStatus === 'CREATE_IN_PROGRESS'
    throw new UserError(`Job ${input.name} is not deployed in environment ${input.env}${stack ? `: its stack ${stackName} is ${stack.StackStatus}` : ''}.`, {
      hint: creating ? 'Wait for its first deploy to finish, then run it again.' : `Deploy it with \`pier job deploy --name ${input.name} --env ${input.env}\`.`,
    })
  }
  const stateMachineArn = await stateMachineOf(ctx, stackName, input)

  // 2. Start it, as its schedule would.
  const name = executionName(ctx.timing.now(), ctx.timing.random)
  const started = await ctx.aws.stateMachines.startExecution({stateMachineArn, name, input: '{}'})
  const executionArn = started.executionArn ?? ''
  ctx.emit(event('step', `Started job ${input.name}: execution ${name} of its state machine.`, {name: `execution ${name}`, status: 'start', detail: executionArn}))
  const result: JobRunResult = {executionArn, stateMachineArn, ...(started.startDate ? {startDate: new Date(started.startDate).toISOString()} : {})}
  if (!input.follow) return result

  // 3. Follow it to its end.
  const outcome = await followExecution(ctx, {executionArn, stateMachineArn, executionName: name, job: input.name, logGroup: logGroupName(input.app, input.env, input.name), onLog: input.onLog})
  return {...result, ...outcome}
}

async function stateMachineOf(ctx: AppContext, stackName: string, input: JobRunInput): Promise<string> {
  const {StackResources = []} = await ctx.aws.stacks.describeStackResources({StackName: stackName})
  const sm = StackResources.find((r) => r.ResourceType === 'AWS::StepFunctions::StateMachine' && r.PhysicalResourceId && !r.ResourceStatus?.startsWith('DELETE'))
  if (!sm?.PhysicalResourceId) {
    throw new UserError(`Job ${input.name} in environment ${input.env} has no state machine to run: its stack ${stackName} was deployed without one (by an older version of Pier).`, {
      hint: `Redeploy it with \`pier job deploy --name ${input.name} --env ${input.env}\`, then run it again.`,
    })
  }
  return sm.PhysicalResourceId
}

/** `pier-run-20261130T082514Z-3f9a`: when it started, and a suffix so two runs in a second differ. */
export function executionName(now: number, random: () => number): string {
  const stamp = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')
  const suffix = Math.floor(random() * 0x10000).toString(16).padStart(4, '0')
  return `pier-run-${stamp}-${suffix}`
}
