import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {AgentListener, ContainerSpec, TaskReport, TaskSpec} from '../../../src/local/agent/types.js'

/** Records what a driver reports and lets a test wait for a condition on it. */
export class RecordingListener implements AgentListener {
  readonly reports: TaskReport[] = []
  readonly logs: {taskId: string; container: string; stream: string; line: string}[] = []
  private waiters: (() => void)[] = []

  onTaskChange(report: TaskReport): void {
    this.reports.push(structuredClone(report))
    this.wake()
  }

  onLog(taskId: string, container: string, stream: 'stdout' | 'stderr', line: string): void {
    this.logs.push({taskId, container, stream, line})
    this.wake()
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w()
  }

  last(taskId: string): TaskReport | undefined {
    return this.reports.filter((r) => r.taskId === taskId).at(-1)
  }

  statuses(taskId: string): string[] {
    return this.reports.filter((r) => r.taskId === taskId).map((r) => r.lastStatus)
  }

  linesOf(taskId: string, container?: string): string[] {
    return this.logs.filter((l) => l.taskId === taskId && (!container || l.container === container)).map((l) => l.line)
  }

  /** Resolves once `check` holds; rejects after `ms` with what was last seen. */
  async until<T>(check: () => T | undefined | false, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms
    for (;;) {
      const v = check()
      if (v) return v
      if (Date.now() > deadline) throw new Error(`condition not met; last reports: ${JSON.stringify(this.reports.slice(-3))}`)
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }

  stopped(taskId: string, ms?: number): Promise<TaskReport> {
    return this.until(() => {
      const r = this.last(taskId)
      return r?.lastStatus === 'STOPPED' ? r : undefined
    }, ms)
  }

  running(taskId: string, ms?: number): Promise<TaskReport> {
    return this.until(() => this.reports.find((r) => r.taskId === taskId && r.lastStatus === 'RUNNING'), ms)
  }
}

let counter = 0

export function taskSpec(containers: Partial<ContainerSpec>[], over: Partial<TaskSpec> = {}): TaskSpec {
  const taskId = `t${Date.now().toString(16)}${(counter++).toString(16).padStart(4, '0')}`
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/test/${taskId}`,
    taskId,
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/test',
    taskDefinition: 'test:1',
    cpu: 256,
    memory: 512,
    containers: containers.map((c, i) => ({
      name: `c${i}`,
      image: 'local',
      essential: true,
      environment: {},
      portMappings: [],
      ...c,
    })),
    ...over,
  }
}

export function tempDir(prefix: string): {path: string; remove(): void} {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return {path, remove: () => rmSync(path, {recursive: true, force: true})}
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
