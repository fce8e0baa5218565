// The table of resource providers by CloudFormation type.

import type {ProviderRegistry, ResourceProvider} from './provider.js'

export function createProviderRegistry(): ProviderRegistry & {types(): string[]} {
  const providers = new Map<string, ResourceProvider>()
  return {
    register(type, provider) {
      providers.set(type, provider)
    },
    get(type) {
      // Every Custom::Name is a custom resource, answered by its ServiceToken's handler.
      return providers.get(type) ?? (type.startsWith('Custom::') ? providers.get('AWS::CloudFormation::CustomResource') : undefined)
    },
    types() {
      return [...providers.keys()].sort()
    },
  }
}
