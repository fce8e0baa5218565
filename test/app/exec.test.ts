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
let mode: 'aws' | 'extended' = 'aws'
let noShell = false
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

async function restartBroker(m: 'aws' | 'extended'): Promise<void> {
  await broker.close()
  mode = m
  const port = (server.address() as AddressInfo).port
  broker = createExecBroker({driver: {exec: (_t, _c, argv, o) => childProcess(argv, o) as ExecProcess}, endpoint: () => `http://127.0.0.1:${port}`, mode})
  server.removeAllListeners('upgrade')
  server.on('upgrade', (req, socket, head) => broker.handleUpgrade(req, socket, head))
}

function io(stdinText?: string): TerminalIo & {out: () => string; err: () => string} {
  const stdin = new PassThrough() as PassThrough & {isTTY?: boolean}
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (d: Buffer) => out.push(d))
  stderr.on('data', (d) => err.push(d))
  if (stdinText !== undefined) stdin.end(Buffer.from(stdinText, 'latin1'))
  else stdin.end()
  return {stdin, stdout, stderr, signals: new EventEmitter(), out: () => Buffer.concat(out).toString('latin1'), err: () => Buffer.concat(err).toString()}
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
    driver: {
      exec(_t, _c, argv, o) {
        // An image without /bin/sh, as the SSM agent reports it.
        if (noShell && argv[0] === '/bin/sh') throw new Error('exec: "/bin/sh": stat /bin/sh: no such file or directory')
        return childProcess(argv, o) as ExecProcess
      },
    },
    endpoint: () => `http://127.0.0.1:${port}`,
    mode,
  })
  server.on('upgrade', (req, socket, head) => broker.handleUpgrade(req, socket, head))
})
afterEach(async () => {
  mode = 'aws'
  noShell = false
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
  it('runs the command under the exit-status wrapper on a terminal session, as ECS gives, and returns its code', async () => {
    broker.startAgent('aaa111')
    const ecs = fakeEcs([task('aaa111')])
    const term = io()
    const events: string[] = []
    const code = await execInTask(request(), {ecs, io: term, notify: (e) => events.push(e.code)})
    expect(code).toBe(3)
    // A terminal has one output stream; the marker lines and CRLF line ends are gone.
    expect(term.out()).toBe('out\nerr\n')
    expect(term.err()).toBe('')
    const calls = ecs.calls as {command: string; interactive: boolean}[]
    expect(calls).toHaveLength(1)
    expect(calls[0]!.interactive).toBe(true)
    expect(calls[0]!.command).toMatch(/^\/bin\/sh -c '/)
    expect(calls[0]!.command).toContain(request().command)
    expect(events).toEqual(['exec.session.starting', 'exec.session.ready'])
  })

  it('in extended mode, keeps stdout and stderr apart and returns the code', async () => {
    await restartBroker('extended')
    broker.startAgent('aaa111')
    const term = io()
    expect(await execInTask(request(), {ecs: fakeEcs([task('aaa111')]), io: term})).toBe(3)
    expect(term.out()).toBe('out\n')
    expect(term.err()).toBe('err\n')
  })

  it.each(['aws', 'extended'] as const)('passes stdin bytes through intact, long lines and control bytes included, with its end (%s mode)', async (m) => {
    await restartBroker(m)
    broker.startAgent('aaa111')
    const bytes = Buffer.concat([Buffer.from('a\x04b\x16c\rd\x03e\x1a\x7f\x15\n'), Buffer.alloc(9000, 'x'), Buffer.from('\nend without newline')])
    const term = io(bytes.toString('latin1'))
    expect(await execInTask(request({command: 'cat; echo; echo done'}), {ecs: fakeEcs([task('aaa111')]), io: term})).toBe(0)
    expect(term.out()).toBe(`${bytes.toString('latin1')}\ndone\n`)
  })

  it('runs the command as given when the image has no /bin/sh, says once that its exit code is unknown, and exits 0', async () => {
    noShell = true
    broker.startAgent('aaa111')
    const ecs = fakeEcs([task('aaa111')])
    const term = io()
    const events: {code: string; level: string; message: string; data?: unknown}[] = []
    const code = await execInTask(request({command: "sh -c 'echo plain; exit 4'"}), {ecs, io: term, notify: (e) => events.push(e)})
    expect(code).toBe(0)
    expect(term.out()).toBe('plain\n')
    const unknown = events.filter((e) => e.code === 'exec.exit-code.unknown')
    expect(unknown).toHaveLength(1)
    expect(unknown[0]).toMatchObject({
      level: 'warn',
      message: 'Container web has no /bin/sh, so Pier runs the command as given and cannot know its exit code: it exits 0 when the session closes.',
      data: {output: expect.stringContaining('/bin/sh: no such file or directory')},
    })
    expect((ecs.calls as {command: string}[]).map((c) => c.command)).toEqual([expect.stringMatching(/^\/bin\/sh -c /), "sh -c 'echo plain; exit 4'"])
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

  it('explains when the ExecuteCommand agent is not RUNNING, or ECS says it is not connected', async () => {
    const pending = task('aaa111')
    pending.containers![0]!.managedAgents = [{name: 'ExecuteCommandAgent', lastStatus: 'PENDING'}]
    expect((await failure(execInTask(request(), {ecs: fakeEcs([pending]), io: io()}))).message).toBe('The ExecuteCommand agent of task aaa111 (container web) is PENDING, not RUNNING.')
    // ECS says so itself (the broker has no agent for the task).
    expect((await failure(execInTask(request(), {ecs: fakeEcs([task('aaa111')]), io: io()}))).message).toMatch(/is not connected: The execute command failed/)
  })

  it('names a missing task role, or the ssmmessages actions the task role lacks, when the agent is not running', async () => {
    const stopped = task('aaa111', {taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:3'})
    stopped.containers![0]!.managedAgents = [{name: 'ExecuteCommandAgent', lastStatus: 'STOPPED', reason: 'agent could not register'}]
    let taskRoleArn: string | undefined
    const ecs = {...fakeEcs([stopped]), describeTaskDefinition: async () => ({taskDefinition: {...(taskRoleArn ? {taskRoleArn} : {})}})}

    const none = await failure(execInTask(request(), {ecs, io: io()}))
    expect(none.message).toBe("Task aaa111 of service web in environment test has no task role, and ECS Exec's agent needs one that allows the ssmmessages actions.")
    expect(none.hint).toMatch(/ssmmessages:CreateControlChannel.*exec: true/)

    taskRoleArn = 'arn:aws:iam::000000000000:role/demo-test-web-TaskRole-1'
    const logsOnly = [{Effect: 'Allow', Action: ['logs:PutLogEvents', 'ssmmessages:CreateDataChannel'], Resource: '*'}]
    const lacking = await failure(execInTask(request(), {ecs, io: io(), roleStatements: async () => logsOnly}))
    expect(lacking.message).toBe(
      "The task role demo-test-web-TaskRole-1 of task aaa111 does not allow ssmmessages:CreateControlChannel, ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel, which ECS Exec's agent needs to connect.",
    )

    const granted = [{Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*'}]
    const other = await failure(execInTask(request(), {ecs, io: io(), roleStatements: async () => granted}))
    expect(other.message).toBe('The ExecuteCommand agent of task aaa111 (container web) is STOPPED, not RUNNING (agent could not register).')
  })

  it('names the KMS key the caller cannot use', async () => {
    await broker.close()
    const port = (server.address() as AddressInfo).port
    broker = createExecBroker({
      driver: {exec: (_t, _c, argv, o) => childProcess(argv, o) as ExecProcess},
      endpoint: () => `http://127.0.0.1:${port}`,
      kms: {keyId: 'alias/team/exec', decrypt: async () => Buffer.alloc(64)},
    })
    server.removeAllListeners('upgrade')
    server.on('upgrade', (req, socket, head) => broker.handleUpgrade(req, socket, head))
    broker.startAgent('aaa111')
    const kms = {
      async generateDataKey(): Promise<never> {
        throw Object.assign(new Error('User: arn:aws:iam::000000000000:user/ci is not authorized to perform: kms:GenerateDataKey'), {name: 'AccessDeniedException'})
      },
    }
    const e = await failure(execInTask(request(), {ecs: fakeEcs([task('aaa111')]), io: io(), kms}))
    expect(e.message).toBe(
      'Your credentials cannot use the KMS key alias/team/exec that cluster demo-test encrypts exec sessions with: User: arn:aws:iam::000000000000:user/ci is not authorized to perform: kms:GenerateDataKey.',
    )
    expect(e.hint).toMatch(/kms:GenerateDataKey/)
  })

  it('ends non-zero with a clear message on a signal, and on a lost connection', async () => {
    broker.startAgent('aaa111')
    const term = io()
    const running = execInTask(request({command: 'sleep 20'}), {ecs: fakeEcs([task('aaa111')]), io: term})
    await new Promise((r) => setTimeout(r, 700))
    term.signals.emit('SIGTERM')
    const signalled = await failure(running)
    expect(signalled.message).toBe('The exec session in task aaa111 was ended by SIGTERM before the command finished.')
    expect(signalled.exitCode).toBe(143)

    const lost = execInTask(request({command: 'sleep 20'}), {ecs: fakeEcs([task('aaa111')]), io: io()})
    await new Promise((r) => setTimeout(r, 700))
    // The broker drops the session's sockets, as a network failure would.
    await broker.stopAgent('aaa111')
    const e = await failure(lost)
    expect(e.message).toMatch(/^The connection to the exec session in task aaa111 was lost before the command finished/)
    expect(e.exitCode).toBe(1)
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
