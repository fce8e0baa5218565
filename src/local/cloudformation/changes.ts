// What a change set would do: for each resource, Add, Modify (with AWS's Replacement flags and the
// property-level details) or Remove, computed from the stack's current resources and the new template.

import {sameJson} from './engine-core.js'
import {topoOrder} from './graph.js'
import {evaluate, KNOWN_AFTER_APPLY, TemplateError, type EvalContext} from './intrinsics.js'
import {exportTable} from './outputs.js'
import {baseContext, type Prepared} from './prepare.js'
import type {ProviderRegistry} from './provider.js'
import type {ResourceChange, ResourceChangeDetail, StackRecord} from './stack-store.js'

function hasUnknown(v: unknown): boolean {
  return JSON.stringify(v ?? null).includes(KNOWN_AFTER_APPLY)
}

export function computeChanges(stack: StackRecord | undefined, prep: Prepared, registry: ProviderRegistry, region: string,
  stacks: StackRecord[]): ResourceChange[] {
  const live = (id: string) => {
    const r = stack?.resources[id]
    return r?.physicalId && r.status !== 'DELETE_COMPLETE' ? r : undefined
  }
  const renewed = new Set<string>()
  const ctx: EvalContext = {
    ...baseContext(prep.template, prep.params.values, prep.pseudo, region),
    conditions: prep.conditions,
    resource: (id) => {
      if (!prep.graph.has(id)) return undefined
      const r = live(id)
      return !r || renewed.has(id) ? KNOWN_AFTER_APPLY : {physicalId: r.physicalId!, attributes: r.attributes}
    },
    importValue: (name) => {
      const e = exportTable(stacks).get(name)
      if (!e || e.stack.stackId === stack?.stackId) throw new TemplateError(`No export named ${name} found`)
      return e.value
    },
  }
  const changes: ResourceChange[] = []
  for (const id of topoOrder(prep.graph)) {
    const decl = prep.template.Resources[id]!
    const old = live(id)
    if (!old) {
      renewed.add(id)
      changes.push({Action: 'Add', LogicalResourceId: id, ResourceType: decl.Type, Scope: [], Details: []})
      continue
    }
    const props = evaluate(decl.Properties ?? {}, ctx) as Record<string, unknown>
    const oldProps = old.properties ?? {}
    const provider = registry.get(decl.Type)
    const oldRaw = (stack!.template.Resources[id]?.Properties ?? {}) as Record<string, unknown>
    const newRaw = (decl.Properties ?? {}) as Record<string, unknown>
    const keys = [...new Set([...Object.keys(oldProps), ...Object.keys(props)])].filter((k) => !sameJson(oldProps[k], props[k]))
    const typeChanged = old.type !== decl.Type
    if (keys.length === 0 && !typeChanged) continue
    const details: ResourceChangeDetail[] = keys.map((k) => {
      const dynamic = hasUnknown(props[k])
      const direct = !sameJson(oldRaw[k], newRaw[k])
      const always = typeChanged || !provider?.update || (provider.immutable ?? []).includes(k)
      return {
        Target: {Attribute: 'Properties', Name: k, RequiresRecreation: always ? (dynamic && !direct ? 'Conditionally' : 'Always') : 'Never'},
        Evaluation: dynamic ? 'Dynamic' : 'Static',
        ChangeSource: direct ? 'DirectModification' : dynamic ? 'ResourceReference' : 'ParameterReference',
      }
    })
    const replacement = typeChanged || details.some((d) => d.Target.RequiresRecreation === 'Always') ? 'True'
      : details.some((d) => d.Target.RequiresRecreation === 'Conditionally') ? 'Conditional' : 'False'
    if (replacement !== 'False') renewed.add(id)
    const change: ResourceChange = {
      Action: 'Modify', LogicalResourceId: id, PhysicalResourceId: old.physicalId, ResourceType: decl.Type, Replacement: replacement,
      Scope: keys.includes('Tags') ? ['Properties', 'Tags'] : ['Properties'], Details: details,
    }
    if (replacement === 'True') change.PolicyAction = decl.UpdateReplacePolicy === 'Retain' ? 'ReplaceAndRetain' : 'ReplaceAndDelete'
    changes.push(change)
  }
  for (const [id, r] of Object.entries(stack?.resources ?? {})) {
    if (prep.graph.has(id) || !live(id)) continue
    changes.push({
      Action: 'Remove', LogicalResourceId: id, PhysicalResourceId: r.physicalId, ResourceType: r.type, Scope: [], Details: [],
      PolicyAction: r.deletionPolicy === 'Retain' ? 'Retain' : 'Delete',
    })
  }
  return changes
}
