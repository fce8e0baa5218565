// Use cases: list the services, jobs and environments of the workspace.
import {loadWorkspace} from '../workspace/find.js'
import {type WorkloadKind, kindOf} from './show-manifest.js'

export function listWorkloads(cwd: string, kind: WorkloadKind): {application: string; workloads: {name: string; type: string}[]} {
  const ws = loadWorkspace(cwd)
  return {application: ws.application, workloads: ws.workloads.filter((w) => kindOf(w.type) === kind).map((w) => ({name: w.name, type: w.type}))}
}

export function listEnvironments(cwd: string): {application: string; environments: {name: string}[]} {
  const ws = loadWorkspace(cwd)
  return {application: ws.application, environments: ws.environments.map((name) => ({name}))}
}
