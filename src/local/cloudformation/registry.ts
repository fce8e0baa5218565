// The table of resource providers by CloudFormation type.

import type {ProviderRegistry, ResourceProvider} from './provider.js'

export function createProviderRegistry(): ProviderRegistry & {types(): string[]} {
  const providers = new Map<string, ResourceProvider>()
  return {
    register(type, provider) {
      providers.set(type, provider)
    },
    get(type) {
      return providers.get(type)
    },
    types() {
      return [...providers.keys()].sort()
    },
  }
}
