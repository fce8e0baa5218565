import {renderWorkloadStack, type WorkloadDeployInputs} from '../../src/render/index.js'
import type {EcsWorkloadManifest} from '../../src/manifest/types.js'
import {APP, ENV} from './fixtures.js'

export function render(manifest: EcsWorkloadManifest, inputs: WorkloadDeployInputs = {}) {
  return renderWorkloadStack({app: APP, env: ENV, name: manifest.name, manifest, inputs})
}

export function resourcesOfType(template: Record<string, any>, type: string): [string, any][] {
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type)
}

export function mainContainer(template: Record<string, any>): any {
  return template.Resources.TaskDefinition.Properties.ContainerDefinitions[0]
}

export const envVar = (container: any, name: string) => container.Environment.find((e: any) => e.Name === name)?.Value
