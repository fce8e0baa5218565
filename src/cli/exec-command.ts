// What `pier svc exec` and `pier task exec` share: flags, building the AWS clients, and running the
// exec use case with the process's terminal. Exits with the remote command's exit code.
import {Flags} from '@oclif/core'

import {execInTask, type ExecDeps, type ExecRequest} from '../app/exec.js'
import {createAwsClients} from '../aws/clients.js'
import type {AwsClients} from '../aws/interfaces.js'
import {findWorkspaceRoot, loadWorkspace} from '../workspace/index.js'
import {awsOptions} from './aws-flags.js'
import {ExitCode, UserError} from '../errors.js'
import {printStatus} from './output.js'

const warn = (text: string) => process.stderr.write(`! ${text}\n`)

export const execFlags = {
  'task-id': Flags.string({description: 'ID of the task, or a prefix of it (default: the newest running task).'}),
  container: Flags.string({description: 'Container to run the command in (default: the main container).'}),
  command: Flags.string({char: 'c', description: 'Command to run.', default: '/bin/sh'}),
}

/** The application: -a, else the workspace's. */
export function applicationName(flag: string | undefined): string {
  if (flag) return flag
  const root = findWorkspaceRoot(process.cwd())
  if (root) return loadWorkspace(root).application
  throw new UserError('No application given: this is not a Copilot workspace.', {hint: 'Pass -a APP, or run the command inside your workspace.'})
}

export async function awsFor(flags: Parameters<typeof awsOptions>[0]): Promise<AwsClients> {
  return createAwsClients(awsOptions(flags))
}

/** Runs the session; ends the process with the remote exit code. */
export async function runExec(aws: AwsClients, req: Omit<ExecRequest, 'interactive'>, extra: Pick<ExecDeps, 'roleStatements'> = {}): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY)
  let code: number
  try {
    code = await execInTask(
      {...req, interactive},
      {
        ecs: {
          listTasks: (input) => aws.ecs.listTasks(input),
          describeTasks: (input) => aws.ecs.describeTasks(input),
          executeCommand: (input) => aws.ecs.executeCommand(input),
          describeTaskDefinition: (input) => aws.ecs.describeTaskDefinition(input),
        },
        kms: {generateDataKey: (input) => aws.keys.generateDataKey(input)},
        notify: (e) => (e.level === 'warn' ? warn(e.message) : printStatus(e.message)),
        ...extra,
      },
    )
  } finally {
    // Reading stdin keeps the process alive: let go of it once the session is over.
    process.stdin.destroy()
  }
  if (code !== 0) throw new ExitCode(code)
}
