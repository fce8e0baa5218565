// Application state in SSM Parameter Store under Copilot's paths and JSON shapes, so an account with
// Copilot applications shows them in Pier too, and the other way round.
import type {ParametersApi} from '../aws/interfaces.js'
import {isAwsError} from '../aws/errors.js'

export interface AppRecord {
  name: string
  account?: string
  domain?: string
  version?: string
  tags?: Record<string, string>
}

export interface EnvRecord {
  app: string
  name: string
  region: string
  accountID?: string
  prod?: boolean
  /** Copilot's: the role CloudFormation assumes to change the environment's stack. */
  executionRoleARN?: string
  /** Copilot's: the role assumed to manage the environment and its workloads (cross-account). */
  managerRoleARN?: string
  registryURL?: string
}

export interface WorkloadRecord {
  app: string
  name: string
  type: string
}

/** The version of the records' layout that Copilot writes and reads. */
export const COPILOT_SCHEMA_VERSION = '1.0'

const ROOT = '/copilot/applications'
export const appPath = (app: string) => `${ROOT}/${app}`
export const envPath = (app: string, env: string) => `${ROOT}/${app}/environments/${env}`
export const workloadPath = (app: string, name: string) => `${ROOT}/${app}/components/${name}`

export class AppStore {
  constructor(private readonly ssm: ParametersApi) {}

  getApp(app: string) {
    return this.get<AppRecord>(appPath(app))
  }
  putApp(record: AppRecord) {
    return this.put(appPath(record.name), record, `Pier application ${record.name}`)
  }
  async listApps(): Promise<AppRecord[]> {
    return this.list<AppRecord>(ROOT)
  }
  deleteApp(app: string) {
    return this.delete(appPath(app))
  }

  getEnv(app: string, env: string) {
    return this.get<EnvRecord>(envPath(app, env))
  }
  putEnv(record: EnvRecord) {
    return this.put(envPath(record.app, record.name), record, `Pier environment ${record.name} of ${record.app}`)
  }
  listEnvs(app: string) {
    return this.list<EnvRecord>(`${appPath(app)}/environments`)
  }
  deleteEnv(app: string, env: string) {
    return this.delete(envPath(app, env))
  }

  getWorkload(app: string, name: string) {
    return this.get<WorkloadRecord>(workloadPath(app, name))
  }
  putWorkload(record: WorkloadRecord) {
    return this.put(workloadPath(record.app, record.name), record, `Pier workload ${record.name} of ${record.app}`)
  }
  listWorkloads(app: string) {
    return this.list<WorkloadRecord>(`${appPath(app)}/components`)
  }
  deleteWorkload(app: string, name: string) {
    return this.delete(workloadPath(app, name))
  }

  /** A record is read once per command, however many steps ask for it (a store lives as long as its
   * command); this store's own writes and deletes replace what it read. Each caller gets its own copy. */
  private readonly read = new Map<string, Promise<string | undefined>>()

  private async get<T>(name: string): Promise<T | undefined> {
    let raw = this.read.get(name)
    if (!raw) {
      raw = this.fetch(name)
      this.read.set(name, raw)
      raw.catch(() => this.read.delete(name))
    }
    const value = await raw
    return value ? (JSON.parse(value) as T) : undefined
  }

  private async fetch(name: string): Promise<string | undefined> {
    try {
      return (await this.ssm.getParameter({Name: name})).Parameter?.Value || undefined
    } catch (error) {
      if (isAwsError(error, 'ParameterNotFound')) return undefined
      throw error
    }
  }

  private async put(name: string, value: object, description: string): Promise<void> {
    const text = JSON.stringify(value)
    await this.ssm.putParameter({Name: name, Value: text, Type: 'String', Overwrite: true, Description: description})
    this.read.set(name, Promise.resolve(text))
  }

  private async list<T>(path: string): Promise<T[]> {
    const out: T[] = []
    let token: string | undefined
    do {
      const page = await this.ssm.getParametersByPath({Path: path, Recursive: false, NextToken: token})
      for (const p of page.Parameters ?? []) {
        try {
          if (p.Value) out.push(JSON.parse(p.Value) as T)
        } catch {
          // A parameter under Copilot's tree that is not one of its JSON records: not ours to list.
        }
      }
      token = page.NextToken
    } while (token)
    return out.sort((a, b) => String((a as {name?: string}).name).localeCompare(String((b as {name?: string}).name)))
  }

  private async delete(name: string): Promise<void> {
    try {
      await this.ssm.deleteParameter({Name: name})
    } catch (error) {
      if (!isAwsError(error, 'ParameterNotFound')) throw error
    }
    this.read.set(name, Promise.resolve(undefined))
  }
}
