// Names of applications, environments and workloads: they become parts of stack names, DNS names
// (<svc>.<env>.<app>.local) and ECS resource names, so Copilot's rules apply.
import {UserError} from '../errors.js'

const NAME = /^[a-z][a-z0-9-]*$/

export function checkName(kind: 'application' | 'environment' | 'workload', name: string, flag: string): void {
  if (!NAME.test(name) || name.endsWith('-') || name.includes('--')) {
    throw new UserError(`invalid ${kind} name "${name}": names start with a lowercase letter and contain only lowercase letters, digits and single hyphens`, {
      hint: `Pass another name with ${flag}, e.g. ${flag} ${name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+|-+$/g, '') || 'web'}.`,
    })
  }
  if (name.length > 32) {
    throw new UserError(`${kind} name "${name}" is too long: at most 32 characters, since it becomes part of stack and DNS names`, {hint: `Pass a shorter name with ${flag}.`})
  }
}
