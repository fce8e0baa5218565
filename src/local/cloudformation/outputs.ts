// Outputs and exports: evaluating a stack's Outputs, the account's export table, and the rules that
// keep an export stable while another stack imports it.

import {evaluate, intrinsicName, TemplateError, type EvalContext} from './intrinsics.js'
import type {StackOutput, StackRecord} from './stack-store.js'
import type {Template} from './template.js'

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function asText(v: unknown): string {
  if (Array.isArray(v)) return v.join(',')
  if (isObject(v)) return JSON.stringify(v)
  return String(v)
}

export function evaluateOutputs(template: Template, ctx: EvalContext): StackOutput[] {
  const out: StackOutput[] = []
  for (const [key, decl] of Object.entries(template.Outputs ?? {})) {
    if (decl.Condition !== undefined && !ctx.conditions[decl.Condition]) continue
    const output: StackOutput = {key, value: asText(evaluate(decl.Value, ctx))}
    if (decl.Description !== undefined) output.description = String(decl.Description)
    if (decl.Export) output.exportName = asText(evaluate(decl.Export.Name, ctx))
    out.push(output)
  }
  return out
}

/** Export names a template imports, where they can be known before any resource exists. */
export function importedNames(template: Template, ctx: EvalContext): string[] {
  const names = new Set<string>()
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk)
    else if (isObject(v)) {
      if (intrinsicName(v) === 'Fn::ImportValue') {
        try {
          names.add(String(evaluate(v['Fn::ImportValue'], ctx)))
        } catch (err) {
          if (!(err instanceof TemplateError)) throw err
        }
      } else Object.values(v).forEach(walk)
    }
  }
  for (const r of Object.values(template.Resources)) {
    if (r.Condition === undefined || ctx.conditions[r.Condition]) walk(r.Properties)
  }
  for (const o of Object.values(template.Outputs ?? {})) {
    if (o.Condition === undefined || ctx.conditions[o.Condition]) walk(o.Value)
  }
  return [...names]
}

function isLive(s: StackRecord): boolean {
  return s.status !== 'DELETE_COMPLETE' && s.status !== 'REVIEW_IN_PROGRESS'
}

export interface ExportEntry {
  name: string
  value: string
  stack: StackRecord
}

export function exportTable(stacks: StackRecord[]): Map<string, ExportEntry> {
  const table = new Map<string, ExportEntry>()
  for (const s of stacks.filter(isLive)) {
    for (const o of s.outputs) if (o.exportName) table.set(o.exportName, {name: o.exportName, value: o.value, stack: s})
  }
  return table
}

/** Names of the live stacks importing an export. */
export function importersOf(stacks: StackRecord[], name: string, except?: string): string[] {
  return stacks.filter((s) => isLive(s) && s.stackId !== except && s.imports.includes(name)).map((s) => s.stackName)
}

/**
 * The reason a stack may not publish `next` in place of `current` outputs, or undefined when it may:
 * export names are unique in an account, and an export in use cannot change or disappear.
 */
export function exportConflict(stacks: StackRecord[], self: StackRecord, current: StackOutput[], next: StackOutput[]): string | undefined {
  const table = exportTable(stacks)
  for (const o of next) {
    if (!o.exportName) continue
    const owner = table.get(o.exportName)
    if (owner && owner.stack.stackId !== self.stackId) {
      return `Export with name ${o.exportName} is already exported by stack ${owner.stack.stackName}`
    }
  }
  for (const o of current) {
    if (!o.exportName) continue
    const users = importersOf(stacks, o.exportName, self.stackId)
    if (users.length === 0) continue
    const replacement = next.find((n) => n.exportName === o.exportName)
    if (!replacement) return `Export ${o.exportName} cannot be deleted as it is in use by ${users.join(', ')}`
    if (replacement.value !== o.value) return `Cannot update export ${o.exportName} as it is in use by ${users.join(', ')}`
  }
  return undefined
}
