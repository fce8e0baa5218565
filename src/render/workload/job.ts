// A Scheduled Job: an EventBridge rule starts a Step Functions state machine that runs the task with
// `ecs:runTask.sync`, so Copilot's `timeout` (the state's TimeoutSeconds) and `retries` (a Retry on
// any error, 10 s apart, backoff 1.5) hold, and each run's outcome is visible in Step Functions.

import type {ScheduledJob} from '../../manifest/types.js'
import {wholeSeconds} from '../duration.js'
import {ENV_OUTPUTS} from '../names.js'
import {assumeRolePolicy, getAtt, join, ref, sub} from '../template.js'
import {envImport, type WorkloadContext} from './context.js'
import type {Placement} from './network.js'
import {scheduleExpression} from './schedule.js'
import {jobStateMachine} from '../fragments.generated.js'

/** The state machine definition: templates/job-state-machine.json with the job's name, placement,
 * `timeout` (TimeoutSeconds) and `retries` (a Retry on any error, 10 s apart, backoff 1.5). */
function definition(m: ScheduledJob, name: string, p: Placement): string {
  const retries = m.retries ?? 0
  const filled = JSON.parse(JSON.stringify(jobStateMachine).replaceAll('${JobName}', name).replaceAll('${AssignPublicIp}', p.assignPublicIp))
  const {End, ...task} = filled.States['Run Fargate Task']
  filled.States['Run Fargate Task'] = {
    ...task,
    ...(m.timeout ? {TimeoutSeconds: wholeSeconds(m.timeout, 'timeout')} : {}),
    ...(retries > 0 ? {Retry: [{ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxAttempts: retries, BackoffRate: 1.5}]} : {}),
    End,
  }
  return JSON.stringify(filled, null, 2)
}

// Subnets and security groups are lists of unknown length: each is joined with `","` inside quotes.
export function renderJob(ctx: WorkloadContext, p: Placement): void {
  const m = ctx.manifest as ScheduledJob
  ctx.t.resource('StateMachineRole', 'AWS::IAM::Role', `Role the state machine of ${ctx.name} runs tasks with`, {
    AssumeRolePolicyDocument: assumeRolePolicy('states.amazonaws.com'),
    Policies: [{
      PolicyName: 'RunTask',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {Effect: 'Allow', Action: ['ecs:RunTask'], Resource: ref('TaskDefinition'), Condition: {ArnEquals: {'ecs:cluster': sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/${Cluster}', {Cluster: envImport(ctx, ENV_OUTPUTS.cluster)})}}},
          {Effect: 'Allow', Action: ['ecs:StopTask', 'ecs:DescribeTasks'], Resource: '*', Condition: {ArnEquals: {'ecs:cluster': sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/${Cluster}', {Cluster: envImport(ctx, ENV_OUTPUTS.cluster)})}}},
          {Effect: 'Allow', Action: ['iam:PassRole'], Resource: [getAtt('ExecutionRole', 'Arn'), getAtt('TaskRole', 'Arn')]},
          {
            Effect: 'Allow',
            Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
            Resource: sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForECSTaskRule'),
          },
        ],
      },
    }],
  })
  ctx.t.resource('StateMachine', 'AWS::StepFunctions::StateMachine', `State machine running ${ctx.name} with its timeout and retries`, {
    // Copilot's name: the environment manager role may start `<app>-<env>-*`, and a new name replaces it.
    StateMachineName: sub('${AppName}-${EnvName}-${WorkloadName}'),
    RoleArn: getAtt('StateMachineRole', 'Arn'),
    DefinitionString: sub(definition(m, ctx.name, p), {
      Cluster: envImport(ctx, ENV_OUTPUTS.cluster),
      TaskDefinition: ref('TaskDefinition'),
      Subnets: join('","', p.subnets),
      SecurityGroups: join('","', p.securityGroups),
    }),
  })
  const expression = scheduleExpression(m.on.schedule)
  if (!expression) return
  ctx.t.resource('RuleRole', 'AWS::IAM::Role', `Role the schedule of ${ctx.name} starts the state machine with`, {
    AssumeRolePolicyDocument: assumeRolePolicy('events.amazonaws.com'),
    Policies: [{
      PolicyName: 'StartStateMachine',
      PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 'states:StartExecution', Resource: ref('StateMachine')}]},
    }],
  })
  ctx.t.resource('Rule', 'AWS::Events::Rule', `Schedule ${expression} of ${ctx.name}`, {
    ScheduleExpression: expression,
    State: 'ENABLED',
    Targets: [{Arn: ref('StateMachine'), Id: `${ctx.name}-state-machine`.slice(0, 64), RoleArn: getAtt('RuleRole', 'Arn')}],
  })
}
