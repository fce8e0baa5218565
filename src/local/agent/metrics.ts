// Measured utilisation of a service's tasks, for target-tracking autoscaling: CPU time and resident
// memory of every process in each task's process groups, read from /proc, relative to the task's
// CPU units and memory, as ECS's ECSServiceAverageCPUUtilization and MemoryUtilization are.

import {readdirSync, readFileSync} from 'node:fs'
import type {LocalApi} from '../contracts.js'

const ECS = 'AmazonEC2ContainerServiceV20141113'
const TICKS_PER_SECOND = 100
const PAGE_BYTES = 4096

interface GroupUsage {
  ticks: number
  rssBytes: number
}

/** CPU ticks and resident bytes of every process, summed by process group. */
export function usageByProcessGroup(): Map<number, GroupUsage> {
  const out = new Map<number, GroupUsage>()
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return out
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const pgrp = Number(f[2])
      const ticks = Number(f[11]) + Number(f[12])
      const rssBytes = Number(f[21]) * PAGE_BYTES
      const u = out.get(pgrp) ?? {ticks: 0, rssBytes: 0}
      u.ticks += ticks
      u.rssBytes += rssBytes
      out.set(pgrp, u)
    } catch {
      // The process ended while we read.
    }
  }
  return out
}

export class TaskMetrics {
  private readonly previous = new Map<string, {at: number; ticks: number}>()

  constructor(
    private readonly api: LocalApi,
    private readonly driver: {processesOf(taskId: string): number[]},
    private readonly sample: () => Map<number, GroupUsage> = usageByProcessGroup,
    private readonly now: () => number = Date.now,
  ) {}

  /** Average over the service's running tasks, in percent; undefined until two samples exist. */
  async average(metric: string, cluster: string, service: string): Promise<number | undefined> {
    if (metric !== 'ECSServiceAverageCPUUtilization' && metric !== 'ECSServiceAverageMemoryUtilization') return undefined
    const listed = await this.api.json(ECS, 'ListTasks', {cluster, serviceName: service, desiredStatus: 'RUNNING'})
    if (!listed.taskArns?.length) return undefined
    const described = await this.api.json(ECS, 'DescribeTasks', {cluster, tasks: listed.taskArns})
    const usage = this.sample()
    const at = this.now()
    const values: number[] = []
    for (const task of described.tasks ?? []) {
      if (task.lastStatus !== 'RUNNING') continue
      const taskId = String(task.taskArn).split('/').pop()!
      const groups = this.driver.processesOf(taskId).map((pid) => usage.get(pid) ?? {ticks: 0, rssBytes: 0})
      const ticks = groups.reduce((s, g) => s + g.ticks, 0)
      if (metric === 'ECSServiceAverageMemoryUtilization') {
        const rss = groups.reduce((s, g) => s + g.rssBytes, 0)
        values.push((rss / (Number(task.memory) * 1024 * 1024)) * 100)
        continue
      }
      const prev = this.previous.get(taskId)
      this.previous.set(taskId, {at, ticks})
      if (!prev || at <= prev.at) continue
      const cpuSeconds = (ticks - prev.ticks) / TICKS_PER_SECOND
      const cores = Number(task.cpu) / 1024
      values.push((cpuSeconds / ((at - prev.at) / 1000) / cores) * 100)
    }
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined
  }
}
