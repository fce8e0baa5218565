// Lambda functions of the local control plane: their configuration (persisted, so a restart can still
// delete what a custom resource created) and their code, unpacked under the state directory. Functions
// with a Node.js runtime run, one process per invocation; others are recorded and refuse invocation.
import {spawn} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, normalize, sep} from 'node:path'

import {BOOTSTRAP} from './bootstrap.js'
import {readZip} from './zip.js'

export interface FunctionConfig {
  name: string
  arn: string
  runtime: string
  handler: string
  timeoutSeconds: number
  memoryMb: number
  environment: Record<string, string>
  role?: string
}

export type FunctionCode = {zipFile: string} | {zip: Buffer}

export interface Invocation {
  /** What the handler returned, or the error it threw (Lambda's errorType and errorMessage). */
  result?: unknown
  error?: {errorType: string; errorMessage: string}
  /** The lines the function printed. */
  logs: string[]
}

export interface InvokeOptions {
  /** Variables added to the function's environment for this invocation only. */
  environment?: Record<string, string>
  /** Called with each line the function prints (e.g. to write it to CloudWatch Logs). */
  onLog?: (line: string) => void
}

/** Where Pier's own packages are: Lambda's Node.js runtime ships the AWS SDK v3, and so does Pier. */
function sdkPath(): string {
  const resolved = createRequire(import.meta.url).resolve('@aws-sdk/client-cloudformation')
  const at = resolved.lastIndexOf(`${sep}node_modules${sep}`)
  return at < 0 ? dirname(resolved) : resolved.slice(0, at + '/node_modules'.length)
}

export class LambdaFunctions {
  private readonly functions = new Map<string, FunctionConfig>()
  private readonly file: string

  constructor(
    private readonly root: string,
    private readonly identity: {region: string; accountId: string; endpoint: () => string; credentials: {accessKeyId: string; secretAccessKey: string}},
  ) {
    mkdirSync(root, {recursive: true, mode: 0o700})
    this.file = join(root, 'functions.json')
    if (existsSync(this.file)) {
      for (const f of JSON.parse(readFileSync(this.file, 'utf8')) as FunctionConfig[]) this.functions.set(f.name, f)
    }
  }

  arnOf(name: string): string {
    return `arn:aws:lambda:${this.identity.region}:${this.identity.accountId}:function:${name}`
  }

  /** A function by name, ARN, or partial ARN (`function:name`), with or without a `:$LATEST` qualifier. */
  find(ref: string): FunctionConfig | undefined {
    const name = ref.replace(/:\$LATEST$/, '').split(':function:').pop()!.split(':')[0]!
    return this.functions.get(name)
  }

  put(config: Omit<FunctionConfig, 'arn'>, code: FunctionCode): FunctionConfig {
    const full: FunctionConfig = {...config, arn: this.arnOf(config.name)}
    const dir = this.codeDir(config.name)
    const staging = `${dir}.new-${process.pid}`
    rmSync(staging, {recursive: true, force: true})
    mkdirSync(staging, {recursive: true, mode: 0o700})
    try {
      if ('zipFile' in code) {
        // An inline ZipFile is index.js (index.mjs isn't possible inline for nodejs runtimes either).
        writeFileSync(join(staging, 'index.js'), code.zipFile, {mode: 0o600})
      } else {
        for (const entry of readZip(code.zip)) {
          const target = normalize(join(staging, entry.name))
          if (!target.startsWith(staging + sep)) throw new Error(`the package holds a path outside its root: ${entry.name}`)
          mkdirSync(dirname(target), {recursive: true, mode: 0o700})
          writeFileSync(target, entry.data, {mode: 0o600})
        }
      }
      rmSync(dir, {recursive: true, force: true})
      renameSync(staging, dir)
    } catch (error) {
      rmSync(staging, {recursive: true, force: true})
      throw error
    }
    this.functions.set(full.name, full)
    this.save()
    return full
  }

  delete(name: string): void {
    this.functions.delete(name)
    rmSync(this.codeDir(name), {recursive: true, force: true})
    this.save()
  }

  /** Runs the handler once with the event, as a synchronous (RequestResponse) invocation. */
  invoke(ref: string, event: unknown, opts: InvokeOptions = {}): Promise<Invocation> {
    const fn = this.find(ref)
    if (!fn) return Promise.reject(new Error(`Function not found: ${ref}`))
    if (!/^nodejs\d+\.x$/.test(fn.runtime)) {
      return Promise.reject(new Error(`the local control plane runs Node.js functions only; ${fn.name} uses the ${fn.runtime} runtime`))
    }
    const requestId = randomUUID()
    const logs: string[] = []
    const log = (line: string) => {
      logs.push(line)
      opts.onLog?.(line)
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_PATH: sdkPath(),
      ...fn.environment,
      AWS_REGION: this.identity.region,
      AWS_DEFAULT_REGION: this.identity.region,
      AWS_ENDPOINT_URL: this.identity.endpoint(),
      AWS_ACCESS_KEY_ID: this.identity.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.identity.credentials.secretAccessKey,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${requestId.replace(/-/g, '')}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      LAMBDA_TASK_ROOT: this.codeDir(fn.name),
      _HANDLER: fn.handler,
      PIER_LAMBDA_ARN: fn.arn,
      PIER_LAMBDA_REQUEST_ID: requestId,
      PIER_LAMBDA_TIMEOUT_MS: String(fn.timeoutSeconds * 1000),
      ...opts.environment,
    }
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['-e', BOOTSTRAP], {cwd: this.codeDir(fn.name), env, stdio: ['pipe', 'pipe', 'pipe', 'ipc']})
      let settled = false
      const settle = (outcome: Omit<Invocation, 'logs'>) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve({...outcome, logs})
      }
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        settle({error: {errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`}})
      }, fn.timeoutSeconds * 1000)
      for (const stream of [child.stdout!, child.stderr!]) {
        let rest = ''
        stream.setEncoding('utf8')
        stream.on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n')
          rest = lines.pop() ?? ''
          for (const l of lines) log(l)
        })
        stream.on('end', () => rest && log(rest))
      }
      child.on('message', (m: {result?: unknown; error?: Invocation['error']}) => settle(m.error ? {error: m.error} : {result: m.result}))
      child.on('error', (e) => settle({error: {errorType: 'Runtime.StartError', errorMessage: e.message}}))
      child.on('exit', (code, signal) => settle({error: {errorType: 'Runtime.ExitError', errorMessage: `the function's process exited (${signal ?? `code ${code}`}) before it returned`}}))
      child.stdin!.end(JSON.stringify(event))
    })
  }

  private codeDir(name: string): string {
    return join(this.root, 'code', name)
  }

  private save(): void {
    const tmp = `${this.file}.tmp`
    writeFileSync(tmp, JSON.stringify([...this.functions.values()]), {mode: 0o600})
    renameSync(tmp, this.file)
  }
}
