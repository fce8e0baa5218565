import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'

import {event, recorder, type DeployEvent} from '../../src/deploy/events.js'
import {deployStack} from '../../src/deploy/stack-deploy.js'
import {Progress} from '../../src/ui/ink-progress.js'
import {formatPlain, jsonRenderer, plainRenderer, resultLine} from '../../src/ui/plain.js'
import {applyEvent, emptyState} from '../../src/ui/progress-state.js'
import {renderMode} from '../../src/ui/renderer.js'
import {fakeAws, instantTiming} from '../deploy/fake-aws.js'

const template = {
  Resources: {
    LogGroup: {Type: 'AWS::Logs::LogGroup', Metadata: {'aws:copilot:description': 'A CloudWatch log group to hold your service logs'}},
    Service: {Type: 'AWS::ECS::Service', Metadata: {'aws:copilot:description': 'An ECS service to run and maintain your tasks'}},
  },
}

async function crashLoopEvents(): Promise<DeployEvent[]> {
  const crash = {exitCode: 3, reason: 'Essential container in task exited', logs: ['booting', 'Error: DATABASE_URL is not set']}
  const {aws} = fakeAws({crashes: [crash, crash, crash]})
  await deployStack({aws, emit: () => {}, timing: instantTiming}, {stackName: 'demo-test-web', template: {Resources: {LogGroup: template.Resources.LogGroup}}})
  const {emit, events} = recorder()
  await deployStack({aws, emit, timing: instantTiming}, {stackName: 'demo-test-web', template}).catch(() => undefined)
  return events
}

describe('renderers', () => {
  it('chooses NDJSON for --json, plain lines off a terminal or in CI, ink otherwise', () => {
    expect(renderMode({json: true, isTTY: true, env: {}})).toBe('json')
    expect(renderMode({isTTY: false, env: {}})).toBe('plain')
    expect(renderMode({isTTY: true, env: {CI: 'true'}})).toBe('plain')
    expect(renderMode({isTTY: true, env: {}})).toBe('ink')
  })

  it('prints plain timestamped lines, with the stopped task and its log right under it', async () => {
    const lines: string[] = []
    const emit = plainRenderer((s) => lines.push(s))
    for (const e of await crashLoopEvents()) emit(e)
    const text = lines.join('')
    expect(text).toMatch(/^\d\d:\d\d:\d\d {2}demo-test-web: 2 resource change\(s\) to update\.$/m)
    expect(text).toMatch(/^\d\d:\d\d:\d\d {2}demo-test-web {2}Service \(An ECS service to run and maintain your tasks\) {2}UPDATE_IN_PROGRESS$/m)
    expect(text).toMatch(/^\d\d:\d\d:\d\d {2}✘ demo-test-web: task t1 stopped: Essential container in task exited, exit code 3$/m)
    expect(text).toMatch(/^\d\d:\d\d:\d\d {6}│ Error: DATABASE_URL is not set$/m)
    expect(text).toMatch(/! Cancelling the update of demo-test-web: 3 tasks of the new deployment stopped/)
  })

  it('writes one JSON event per line with code, level, time, message and data', async () => {
    const lines: string[] = []
    const emit = jsonRenderer((s) => lines.push(s))
    for (const e of await crashLoopEvents()) emit(e)
    const parsed = lines.map((l) => JSON.parse(l))
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true)
    expect(parsed.find((p) => p.code === 'rollout.task-stopped')).toMatchObject({level: 'error', data: {taskId: 't1', exitCode: 3, logLines: ['booting', 'Error: DATABASE_URL is not set']}})
    expect(Object.keys(parsed[0]).sort()).toEqual(['code', 'data', 'level', 'message', 'time'])
  })

  it('closes a --json run with one result line: code, data and the API calls made', () => {
    const line = resultLine({name: 'web', status: 'deployed'}, 12)
    expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true)
    expect(JSON.parse(line)).toEqual({code: 'result', data: {name: 'web', status: 'deployed'}, apiCalls: 12})
  })

  it('draws the resource tree with descriptions and the rollout nested under the service', async () => {
    const state = emptyState()
    for (const e of await crashLoopEvents()) applyEvent(state, e)
    const {lastFrame, unmount} = render(<Progress state={state} now={Date.parse('2026-11-30T06:01:00Z')} />)
    const frame = lastFrame() ?? ''
    unmount()
    expect(frame).toContain('demo-test-web')
    expect(frame).toContain('An ECS service to run and maintain your tasks')
    expect(frame).toMatch(/Deployment: 0 running \/ 1 desired, 1 pending, 3 failed/)
    expect(frame).toContain('✘ task t3 stopped: Essential container in task exited (exit code 3)')
    expect(frame).toContain('│ Error: DATABASE_URL is not set')
    const serviceLine = frame.split('\n').findIndex((l) => l.includes('An ECS service'))
    const rolloutLine = frame.split('\n').findIndex((l) => l.includes('Deployment:'))
    expect(rolloutLine).toBeGreaterThan(serviceLine)
  })

  it('shows "no changes" for an empty change set', () => {
    const state = applyEvent(emptyState(), event('stack.no-changes', 'demo-test: no changes to deploy.', {stack: 'demo-test'}))
    const {lastFrame, unmount} = render(<Progress state={state} now={Date.now()} />)
    expect(lastFrame()).toContain('demo-test no changes')
    unmount()
    expect(formatPlain(event('stack.no-changes', 'demo-test: no changes to deploy.', {stack: 'demo-test'}, 'info', () => 0))).toEqual(['00:00:00  demo-test: no changes to deploy.'])
  })
})
