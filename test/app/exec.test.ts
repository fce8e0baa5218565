import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {EventEmitter} from 'node:events'
import {PassThrough} from 'node:stream'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {type EcsExecClient, type EcsTask, execInTask, type ExecRequest} from '../../src/app/exec.js'
import {UserError} from '../../src/errors.js'
import {SessionRefusedError} from '../../src/exec/errors.js'
import type {TerminalIo} from '../../src/exec/terminal.js'
import type {ExecProcess} from '../../src/local/agent/types.js'
import {createExecBroker, type ExecBroker} from '../../src/local/exec/broker.js'
import {childProcess} from '../exec/helpers.js'

let server: Server
let broker: ExecBroker
const arn = (id: string) => `arn:aws:ecs:us-east-1:000000000000:task/demo-test/${id}`

function task(id: string, extra: Partial<EcsTask> = {}): EcsTask {
  return {
    taskArn: arn(id),
    lastStatus: 'RUNNING',
    enableExecuteCommand: true,
    startedAt: new Date(1000),
    containers: [
      {name: 'web', runtimeId: `${id}-web`, lastStatus: 'RUNNING', managedAgents: [{name: 'ExecuteCommandAgent', lastStatus: 'RUNNING'}]},
      {name: 'sidecar', runtimeId: `${id}-sidecar`, lastStatus: 'RUNNING'},
    ],
    ...extra,
  }
}

/** ECS in miniature: the tasks the test lists, ExecuteCommand through the real broker. */
function fakeEcs(tasks: EcsTask[]): EcsExecClient & {calls: unknown[]} {
  const calls: unknown[] = []
  return {
    calls,
    async listTasks() {
      return {taskArns: tasks.map((t) => t.taskArn!)}
    },
    async describeTasks({tasks: wanted}) {
      return {tasks: tasks.filter((t) => wanted.includes(t.taskArn!))}
    },
    async executeCommand(input) {
      calls.push(input)
      const id = input.task.slice(input.task.lastIndexOf('/') + 1)
      return {session: await broker.createSession({taskArn: input.task, taskId: id, container: input.container!, command: input.command, interactive: input.interactive})}
    },
  }
}

function io(stdinText?: string): TerminalIo & {out: () => string; err: () => string} {
  const stdin = new PassThrough() as PassThrough & {isTTY?: boolean}
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (d) => out.push(d))
  stderr.on('data', (d) => err.push(d))
  if (stdinText !== undefined) stdin.end(stdinText)
  else stdin.end()
  return {stdin, stdout, stderr, signals: new EventEmitter(), out: () => Buffer.concat(out).toString(), err: () => Buffer.concat(err).toString()}
}

const request = (extra: Partial<ExecRequest> = {}): ExecRequest => ({
  cluster: 'demo-test',
  service: 'demo-test-web',
  command: 'echo out; echo err >&2; exit 3',
  interactive: false,
  defaultContainer: 'web',
  subject: 'service web in environment test',
  enableHint: 'Set `exec: true` in the manifest of web and redeploy.',
  ...extra,
})

beforeEach(async () => {
  server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  broker = createExecBroker({
    driver: {exec: (_t, _c, command, o) => childProcess(command, o) as ExecProcess},
    endpoint: () => `http://127.0.0.1:${port}`,
  })
  server.on('upgrade', (req, socket, head) => broker.handleUpgrade(req, socket, head))
})
afterEach(async () => {
  await broker.close()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

async function failure(p: Promise<unknown>): Promise<UserError> {
  const e = await p.then(() => undefined, (x) => x)
  expect(e).toBeInstanceOf(UserError)
  return e as UserError
}

describe('execInTask', () => {
  it('runs a command without a terminal and returns its exit code, stdout and stderr apart', async () => {
    broker.startAgent('aaa111')
    const ecs = fakeEcs([task('aaa111')])
    const term = io()
    const events: string[] = []
    const code = await execInTask(request(), {ecs, io: term, notify: (e) => events.push(e.code)})
    expect(code).toBe(3)
    expect(term.out()).toBe('out\n')
    expect(term.err()).toBe('err\n')
    // ECS is always asked for an interactive session (all it allows); the client's first message keeps
    // the command off a terminal, which is why stdout and stderr stay apart.
    expect(ecs.calls).toEqual([{cluster: 'demo-test', task: arn('aaa111'), container: 'web', command: request().command, interactive: true}])
    expect(events).toEqual(['exec.session.starting', 'exec.session.ready'])
  })

  it('pipes stdin to the command and ends it', async () => {
    broker.startAgent('aaa111')
    const term = io('line one\nline two\n')
    expect(await execInTask(request({command: 'wc -l'}), {ecs: fakeEcs([task('aaa111')]), io: term})).toBe(0)
    expect(term.out().trim()).toBe('2')
  })

  it('picks the task by id prefix and the named container', async () => {
    broker.startAgent('bbb222')
    const ecs = fakeEcs([task('aaa111'), task('bbb222')])
    expect(await execInTask(request({taskId: 'bbb', container: 'sidecar', command: 'true'}), {ecs, io: io()})).toBe(0)
    expect(ecs.calls).toMatchObject([{task: arn('bbb222'), container: 'sidecar'}])
  })

  it('explains when exec is not enabled', async () => {
    const e = await failure(execInTask(request(), {ecs: fakeEcs([task('aaa111', {enableExecuteCommand: false})]), io: io()}))
    expect(e.message).toBe('Exec is not enabled on task aaa111 of service web in environment test: it was started without ECS Exec.')
    expect(e.hint).toMatch(/exec: true/)
  })

  it('explains when no task runs, or the prefix matches none or several', async () => {
    expect((await failure(execInTask(request(), {ecs: fakeEcs([]), io: io()}))).message).toBe('No task of service web in environment test is running.')
    const two = fakeEcs([task('abc1'), task('abc2')])
    expect((await failure(execInTask(request({taskId: 'zz'}), {ecs: two, io: io()}))).message).toMatch(/No running task .* starting with "zz"/)
    const e = await failure(execInTask(request({taskId: 'abc'}), {ecs: two, io: io()}))
    expect(e.message).toMatch(/matches 2 running tasks/)
    expect(e.hint).toBe('Give more of the id: abc1, abc2.')
  })

  it('explains when the container does not exist', async () => {
    const e = await failure(execInTask(request({container: 'db'}), {ecs: fakeEcs([task('aaa111')]), io: io()}))
    expect(e.message).toBe('Container "db" is not part of task aaa111.')
    expect(e.hint).toMatch(/web, sidecar/)
  })

  it('explains when the exec agent is not connected', async () => {
    const pending = task('aaa111')
    pending.containers![0]!.managedAgents = [{name: 'ExecuteCommandAgent', lastStatus: 'PENDING'}]
    expect((await failure(execInTask(request(), {ecs: fakeEcs([pending]), io: io()}))).message).toMatch(/exec agent of task aaa111 \(container web\) is not connected: its exec agent is pending/)
    // ECS says so itself (the broker has no agent for the task).
    expect((await failure(execInTask(request(), {ecs: fakeEcs([task('aaa111')]), io: io()}))).message).toMatch(/is not connected: The execute command failed/)
  })

  it('explains a refused session', async () => {
    broker.startAgent('aaa111')
    const e = await failure(
      execInTask(request(), {
        ecs: fakeEcs([task('aaa111')]),
        io: io(),
        dial: async () => {
          throw new SessionRefusedError('the token has expired')
        },
      }),
    )
    expect(e.message).toBe('The exec session was refused: the token has expired.')
  })

})
