// A service task's registrations: its targets in the service's target groups and its instances in
// Cloud Map, made when it is RUNNING, drained before the scheduler stops it, removed when it stops.

import type {DiscoveryRegistry, TargetRegistry} from '../contracts.js'
import {addEvent, events} from './deployments.js'
import type {EcsStore, ServiceRecord, TaskRecord} from './state.js'
import type {Clock} from './task-manager.js'

export interface RegistrationDeps {
  store: EcsStore
  clock: Clock
  targets?: TargetRegistry
  discovery?: DiscoveryRegistry
}

export class Registrations {
  constructor(private readonly deps: RegistrationDeps) {}

  register(service: ServiceRecord, task: TaskRecord): void {
    const ip = task.privateIp ?? '127.0.0.1'
    const now = this.deps.clock.now()
    task.registeredTargets = []
    if (this.deps.targets) {
      for (const lb of service.loadBalancers) {
        if (!lb.targetGroupArn) continue
        const port = hostPort(task, lb.containerName, lb.containerPort)
        if (port === undefined) continue
        task.registeredTargets.push({targetGroupArn: lb.targetGroupArn, id: ip, port})
        void this.deps.targets.register(lb.targetGroupArn, [{id: ip, port}]).catch(() => undefined)
        addEvent(service, events.registered(service.serviceName, 1, lb.targetGroupArn), now)
      }
    }
    if (this.deps.discovery) {
      task.registeredInstances = []
      for (const reg of service.serviceRegistries) {
        if (!reg.registryArn) continue
        const port = reg.containerName ? hostPort(task, reg.containerName, reg.containerPort) : reg.port
        task.registeredInstances.push(reg.registryArn)
        void this.deps.discovery.registerInstance(reg.registryArn, task.taskId, port === undefined ? {ip} : {ip, port}).catch(() => undefined)
      }
    }
    this.deps.store.touch(service, task)
  }

  unregister(task: TaskRecord): void {
    for (const r of task.registeredTargets ?? []) {
      void this.deps.targets?.deregister(r.targetGroupArn, [{id: r.id, port: r.port}]).catch(() => undefined)
    }
    if (task.registeredTargets?.length) task.registeredTargets = []
    for (const arn of task.registeredInstances ?? []) {
      void this.deps.discovery?.deregisterInstance(arn, task.taskId).catch(() => undefined)
    }
    if (task.registeredInstances?.length) task.registeredInstances = []
    this.deps.store.mark(task)
  }

  /** Deregisters a task's targets and resolves once they have drained (the task may then stop). */
  async drain(service: ServiceRecord, t: TaskRecord): Promise<void> {
    const regs = t.registeredTargets ?? []
    t.registeredTargets = []
    this.deps.store.mark(t)
    await Promise.allSettled(
      regs.map(async (r) => {
        await this.deps.targets!.deregister(r.targetGroupArn, [{id: r.id, port: r.port}])
        addEvent(service, events.deregistered(service.serviceName, 1, r.targetGroupArn), this.deps.clock.now())
        this.deps.store.touch(service)
      }),
    )
  }
}

function hostPort(task: TaskRecord, containerName?: string, containerPort?: number): number | undefined {
  for (const c of task.containers) {
    if (containerName && c.name !== containerName) continue
    const b = c.networkBindings.find((x) => containerPort === undefined || x.containerPort === containerPort)
    if (b) return b.hostPort
  }
  return containerPort
}
