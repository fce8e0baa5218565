import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteResourcePolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  DescribeResourcePoliciesCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  PutLogEventsCommand,
  PutResourcePolicyCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs'
import {CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand, UpdateStackCommand} from '@aws-sdk/client-cloudformation'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startLocalControlPlane, type LocalControlPlane} from '../../src/local/assemble.js'
import {LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {compileFilterPattern} from '../../src/local/logs/filter-pattern.js'
import {startControlPlane, type Harness} from './helpers.js'

let h: Harness
let logs: CloudWatchLogsClient
const t0 = Date.now() - 60_000
beforeAll(async () => {
  h = await startControlPlane()
  logs = new CloudWatchLogsClient(h.config)
})
afterAll(() => h.close())

describe('CloudWatch Logs', () => {
  it('creates groups and streams, refusing duplicates and unknown groups', async () => {
    await logs.send(new CreateLogGroupCommand({logGroupName: '/copilot/app-test-web', tags: {app: 'app'}}))
    await expect(logs.send(new CreateLogGroupCommand({logGroupName: '/copilot/app-test-web'}))).rejects.toMatchObject({name: 'ResourceAlreadyExistsException'})
    await logs.send(new CreateLogStreamCommand({logGroupName: '/copilot/app-test-web', logStreamName: 'manual'}))
    await expect(logs.send(new CreateLogStreamCommand({logGroupName: '/nope', logStreamName: 's'}))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
    })
    await logs.send(new PutRetentionPolicyCommand({logGroupName: '/copilot/app-test-web', retentionInDays: 30}))
    await expect(logs.send(new PutRetentionPolicyCommand({logGroupName: '/copilot/app-test-web', retentionInDays: 2}))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    })
    const groups = await logs.send(new DescribeLogGroupsCommand({logGroupNamePrefix: '/copilot/'}))
    expect(groups.logGroups).toHaveLength(1)
    expect(groups.logGroups?.[0]).toMatchObject({
      logGroupName: '/copilot/app-test-web',
      retentionInDays: 30,
      arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/copilot/app-test-web:*',
    })
    await logs.send(new TagResourceCommand({resourceArn: groups.logGroups![0]!.logGroupArn!, tags: {env: 'test'}}))
    expect((await logs.send(new ListTagsForResourceCommand({resourceArn: groups.logGroups![0]!.logGroupArn!}))).tags).toEqual({app: 'app', env: 'test'})
  })

  it('takes task output through the LogSink into awslogs streams', async () => {
    const events = Array.from({length: 25}, (_, i) => ({timestamp: t0 + i, message: i % 5 === 0 ? `ERROR request ${i} failed` : `GET /health ${i} 200`}))
    h.cp.logs.append('/copilot/app-test-web', 'copilot/web/task1', events.slice(0, 20))
    h.cp.logs.append('/copilot/app-test-web', 'copilot/web/task2', events.slice(20))
    h.cp.logs.append('/created/by/sink', 'copilot/job/t', [{timestamp: t0, message: 'hello'}], {create: true})
    expect(() => h.cp.logs.append('/not/created', 's', [{timestamp: t0, message: 'x'}])).toThrow(/does not exist/)
    const streams = await logs.send(new DescribeLogStreamsCommand({logGroupName: '/copilot/app-test-web', logStreamNamePrefix: 'copilot/web/'}))
    expect(streams.logStreams?.map((s) => [s.logStreamName, s.firstEventTimestamp, s.lastEventTimestamp])).toEqual([
      ['copilot/web/task1', t0, t0 + 19],
      ['copilot/web/task2', t0 + 20, t0 + 24],
    ])
    const byTime = await logs.send(new DescribeLogStreamsCommand({logGroupName: '/copilot/app-test-web', orderBy: 'LastEventTime', descending: true, limit: 1}))
    expect(byTime.logStreams?.[0]?.logStreamName).toBe('copilot/web/task2')
    expect(byTime.nextToken).toBeDefined()
  })

  it('pages GetLogEvents forward from the head and backward from the tail', async () => {
    const q = {logGroupName: '/copilot/app-test-web', logStreamName: 'copilot/web/task1', limit: 8}
    const head = await logs.send(new GetLogEventsCommand({...q, startFromHead: true}))
    expect(head.events?.map((e) => e.timestamp! - t0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    const next = await logs.send(new GetLogEventsCommand({...q, nextToken: head.nextForwardToken}))
    expect(next.events?.map((e) => e.timestamp! - t0)).toEqual([8, 9, 10, 11, 12, 13, 14, 15])
    const last = await logs.send(new GetLogEventsCommand({...q, nextToken: next.nextForwardToken}))
    expect(last.events).toHaveLength(4)
    const end = await logs.send(new GetLogEventsCommand({...q, nextToken: last.nextForwardToken}))
    expect(end.events).toEqual([])
    expect(end.nextForwardToken).toBe(last.nextForwardToken)

    const tail = await logs.send(new GetLogEventsCommand(q))
    expect(tail.events?.map((e) => e.timestamp! - t0)).toEqual([12, 13, 14, 15, 16, 17, 18, 19])
    const before = await logs.send(new GetLogEventsCommand({...q, nextToken: tail.nextBackwardToken}))
    expect(before.events?.map((e) => e.timestamp! - t0)).toEqual([4, 5, 6, 7, 8, 9, 10, 11])
    const window = await logs.send(new GetLogEventsCommand({...q, startTime: t0 + 3, endTime: t0 + 5, startFromHead: true}))
    expect(window.events?.map((e) => e.timestamp! - t0)).toEqual([3, 4, 5])
  })

  it('filters events across streams with patterns and pagination', async () => {
    const errors = await logs.send(new FilterLogEventsCommand({logGroupName: '/copilot/app-test-web', filterPattern: 'ERROR'}))
    expect(errors.events?.map((e) => [e.logStreamName, e.message])).toEqual([
      ['copilot/web/task1', 'ERROR request 0 failed'],
      ['copilot/web/task1', 'ERROR request 5 failed'],
      ['copilot/web/task1', 'ERROR request 10 failed'],
      ['copilot/web/task1', 'ERROR request 15 failed'],
      ['copilot/web/task2', 'ERROR request 20 failed'],
    ])
    const seen: string[] = []
    let nextToken: string | undefined
    do {
      const page = await logs.send(new FilterLogEventsCommand({logGroupName: '/copilot/app-test-web', filterPattern: '"GET /health"', limit: 7, nextToken}))
      seen.push(...page.events!.map((e) => e.message!))
      nextToken = page.nextToken
    } while (nextToken)
    expect(seen).toHaveLength(20)
    expect(new Set(seen).size).toBe(20)
    const task2 = await logs.send(new FilterLogEventsCommand({logGroupName: '/copilot/app-test-web', logStreamNames: ['copilot/web/task2'], startTime: t0 + 22}))
    expect(task2.events?.map((e) => e.timestamp! - t0)).toEqual([22, 23, 24])
    await expect(logs.send(new FilterLogEventsCommand({logGroupName: '/copilot/app-test-web', filterPattern: '[ip, user, status]'}))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    })
  })

  it('accepts PutLogEvents in order, refuses out-of-order batches and reports too-old events', async () => {
    const q = {logGroupName: '/copilot/app-test-web', logStreamName: 'manual'}
    const now = Date.now()
    const old = now - 20 * 86_400_000
    const put = await logs.send(new PutLogEventsCommand({...q, logEvents: [{timestamp: old, message: 'ancient'}, {timestamp: old + 1, message: 'ancient'}]}))
    expect(put.rejectedLogEventsInfo).toEqual({tooOldLogEventEndIndex: 1})
    const future = await logs.send(new PutLogEventsCommand({...q, logEvents: [{timestamp: now, message: 'fresh'}, {timestamp: now + 3 * 3600_000, message: 'future'}]}))
    expect(future.rejectedLogEventsInfo).toEqual({tooNewLogEventStartIndex: 1})
    await expect(
      logs.send(new PutLogEventsCommand({...q, logEvents: [{timestamp: now, message: 'b'}, {timestamp: now - 1, message: 'a'}]})),
    ).rejects.toMatchObject({name: 'InvalidParameterException'})
    expect((await logs.send(new GetLogEventsCommand(q))).events?.map((e) => e.message)).toEqual(['fresh'])
  })

  it('keeps events across a restart and deletes a group with its streams', async () => {
    await h.cp.close()
    const {createControlPlane} = await import('../../src/local/control-plane.js')
    const again = await createControlPlane({stateDir: h.stateDir, port: 0, log: () => undefined})
    try {
      const client = new CloudWatchLogsClient({...h.config, endpoint: again.endpoint})
      const r = await client.send(new GetLogEventsCommand({logGroupName: '/copilot/app-test-web', logStreamName: 'copilot/web/task2', startFromHead: true}))
      expect(r.events?.map((e) => e.message)).toEqual(['ERROR request 20 failed', 'GET /health 21 200', 'GET /health 22 200', 'GET /health 23 200', 'GET /health 24 200'])
      await client.send(new DeleteLogGroupCommand({logGroupName: '/copilot/app-test-web'}))
      await expect(client.send(new GetLogEventsCommand({logGroupName: '/copilot/app-test-web', logStreamName: 'copilot/web/task2'}))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      })
    } finally {
      await again.close()
    }
  })
})

describe('filter patterns', () => {
  it('matches terms, phrases, optional and excluded terms', () => {
    const m = (p: string, s: string) => compileFilterPattern(p)(s)
    expect(m('', 'anything')).toBe(true)
    expect(m('ERROR', 'an ERROR here')).toBe(true)
    expect(m('ERROR', 'an error here')).toBe(false)
    expect(m('ERROR db', 'ERROR in db')).toBe(true)
    expect(m('ERROR db', 'ERROR in cache')).toBe(false)
    expect(m('"disk full"', 'the disk full now')).toBe(true)
    expect(m('"disk full"', 'the disk is full')).toBe(false)
    expect(m('?WARN ?ERROR', 'a WARN')).toBe(true)
    expect(m('?WARN ?ERROR', 'INFO only')).toBe(false)
    expect(m('ERROR -timeout', 'ERROR timeout')).toBe(false)
    expect(m('ERROR -timeout', 'ERROR refused')).toBe(true)
  })
})

describe('JSON filter patterns', () => {
  const m = (p: string, s: unknown) => compileFilterPattern(p)(typeof s === 'string' ? s : JSON.stringify(s))
  it('compares selected values with strings, wildcards, numbers and booleans', () => {
    expect(m('{ $.level = "error" }', {level: 'error'})).toBe(true)
    expect(m('{ $.level = "error" }', {level: 'info'})).toBe(false)
    expect(m('{ $.level = error }', {level: 'error'})).toBe(true)
    expect(m('{ $.path = "/api/*" }', {path: '/api/users'})).toBe(true)
    expect(m('{ $.path != "/api/*" }', {path: '/health'})).toBe(true)
    expect(m('{ $.latency > 200 }', {latency: 250})).toBe(true)
    expect(m('{ $.latency >= 200 }', {latency: 150})).toBe(false)
    expect(m('{ $.req.items[1].id = 7 }', {req: {items: [{id: 1}, {id: 7}]}})).toBe(true)
    expect(m('{ $.ok IS TRUE }', {ok: true})).toBe(true)
    expect(m('{ $.ok IS FALSE }', {ok: true})).toBe(false)
    expect(m('{ $.user NOT EXISTS }', {})).toBe(true)
    expect(m('{ $.user EXISTS }', {user: 'a'})).toBe(true)
  })

  it('combines with && and || and parentheses, and matches no plain-text event', () => {
    expect(m('{ $.level = "error" && $.latency > 100 }', {level: 'error', latency: 150})).toBe(true)
    expect(m('{ $.level = "error" && $.latency > 100 }', {level: 'error', latency: 50})).toBe(false)
    expect(m('{ ($.a = 1 && $.b = 2) || $.c = 3 }', {c: 3})).toBe(true)
    expect(m('{ ($.a = 1 && $.b = 2) || $.c = 3 }', {a: 1, b: 3})).toBe(false)
    expect(m('{ $.level = "error" }', 'level error')).toBe(false)
  })

  it('refuses malformed and space-delimited patterns', () => {
    expect(() => compileFilterPattern('{ $.a = }')).toThrow(/Invalid filter pattern/)
    expect(() => compileFilterPattern('{ $.a > "x" }')).toThrow(/Invalid filter pattern/)
    expect(() => compileFilterPattern('{ level = 1 }')).toThrow(/Invalid filter pattern/)
    expect(() => compileFilterPattern('[ip, user]')).toThrow(/space-delimited/)
  })
})

describe('CloudWatch Logs resource policies', () => {
  let cp: LocalControlPlane
  let logs: CloudWatchLogsClient
  let config: {endpoint: string; region: string; credentials: {accessKeyId: string; secretAccessKey: string}}
  const dir = mkdtempSync(join(tmpdir(), 'pier-logs-policies-'))
  beforeAll(async () => {
    cp = await startLocalControlPlane({stateDir: dir, port: 0, log: () => undefined})
    config = {endpoint: cp.endpoint, region: 'us-east-1', credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY}}
    logs = new CloudWatchLogsClient(config)
  })
  afterAll(async () => {
    await cp.close()
    rmSync(dir, {recursive: true, force: true})
  })
  const doc = (sid: string) => JSON.stringify({Version: '2012-10-17', Statement: [{Sid: sid, Effect: 'Allow', Principal: {Service: ['delivery.logs.amazonaws.com']}, Action: ['logs:PutLogEvents'], Resource: '*'}]})

  it('puts, replaces, lists and deletes policies, within AWS\'s quota of ten', async () => {
    const put = await logs.send(new PutResourcePolicyCommand({policyName: 'app-test-LogResourcePolicy', policyDocument: doc('a')}))
    expect(put.resourcePolicy).toMatchObject({policyName: 'app-test-LogResourcePolicy', policyDocument: doc('a')})
    await logs.send(new PutResourcePolicyCommand({policyName: 'app-test-LogResourcePolicy', policyDocument: doc('b')}))
    const listed = await logs.send(new DescribeResourcePoliciesCommand({}))
    expect(listed.resourcePolicies?.map((p) => [p.policyName, p.policyDocument])).toEqual([['app-test-LogResourcePolicy', doc('b')]])
    await expect(logs.send(new PutResourcePolicyCommand({policyName: 'bad', policyDocument: '{not json'}))).rejects.toMatchObject({name: 'InvalidParameterException'})
    for (let i = 1; i < 10; i++) await logs.send(new PutResourcePolicyCommand({policyName: `p${i}`, policyDocument: doc('c')}))
    await expect(logs.send(new PutResourcePolicyCommand({policyName: 'p10', policyDocument: doc('c')}))).rejects.toMatchObject({name: 'LimitExceededException'})
    for (let i = 1; i < 10; i++) await logs.send(new DeleteResourcePolicyCommand({policyName: `p${i}`}))
    await logs.send(new DeleteResourcePolicyCommand({policyName: 'app-test-LogResourcePolicy'}))
    await expect(logs.send(new DeleteResourcePolicyCommand({policyName: 'app-test-LogResourcePolicy'}))).rejects.toMatchObject({name: 'ResourceNotFoundException'})
    expect((await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies).toEqual([])
  })

  it('deploys AWS::Logs::ResourcePolicy from a template, updates its document and deletes it with the stack', async () => {
    const cfn = new CloudFormationClient(config)
    const template = (sid: string) => JSON.stringify({Resources: {LogResourcePolicy: {Type: 'AWS::Logs::ResourcePolicy', Properties: {PolicyName: 'env-LogResourcePolicy', PolicyDocument: doc(sid)}}}, Outputs: {Name: {Value: {Ref: 'LogResourcePolicy'}}}})
    const settle = async () => {
      for (;;) {
        const s = (await cfn.send(new DescribeStacksCommand({StackName: 'policy'}))).Stacks![0]!
        if (!s.StackStatus!.endsWith('_IN_PROGRESS')) return s
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    await cfn.send(new CreateStackCommand({StackName: 'policy', TemplateBody: template('one')}))
    expect(await settle()).toMatchObject({StackStatus: 'CREATE_COMPLETE', Outputs: [{OutputKey: 'Name', OutputValue: 'env-LogResourcePolicy'}]})
    await cfn.send(new UpdateStackCommand({StackName: 'policy', TemplateBody: template('two')}))
    expect((await settle()).StackStatus).toBe('UPDATE_COMPLETE')
    expect((await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies?.map((p) => p.policyDocument)).toEqual([doc('two')])
    await cfn.send(new DeleteStackCommand({StackName: 'policy'}))
    await settle().catch(() => undefined)
    for (let i = 0; i < 100 && ((await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies ?? []).length > 0; i++) await new Promise((r) => setTimeout(r, 50))
    expect((await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies).toEqual([])
  })
})
