// --diff / --diff-yes: show the template diff of each change set and ask before executing it.
import type {AppContext} from '../app/context.js'
import type {DeployOptions} from '../app/deploy-options.js'
import {event, type ResourceChange} from '../deploy/events.js'
import {templateDiff} from '../deploy/template-diff.js'
import {parseTemplateBody} from '../deploy/template-body.js'
import {UserError} from '../errors.js'

export function diffReview(ctx: AppContext, flags: {diff?: boolean; 'diff-yes'?: boolean}): DeployOptions['confirmChanges'] {
  if (!flags.diff && !flags['diff-yes']) return undefined
  return async ({stackName, template, operation, changes}) => {
    let before: Record<string, unknown> | undefined
    if (operation === 'update') {
      const out = await ctx.aws.stacks.getTemplate({StackName: stackName, TemplateStage: 'Original'})
      before = out.TemplateBody ? parseTemplateBody(out.TemplateBody) : undefined
    }
    const diff = templateDiff(before, template)
    const text = `~ ${stackName} (${operation})\n${diff || '  (only parameters changed)'}${replacements(changes)}`
    ctx.emit(event('output', `Changes to ${stackName}`, {text, stream: 'stderr'}))
    if (flags['diff-yes']) return true
    if (!ctx.confirm) {
      throw new UserError(`--diff needs an answer before deploying ${stackName}: Pier does not prompt when stdin is not a terminal or CI is set.`, {hint: 'Pass --diff-yes to deploy right after showing the diff.'})
    }
    return ctx.confirm(`Deploy these changes to ${stackName}?`)
  }
}

/** The resources the change set replaces or removes: a template diff alone does not say which. */
function replacements(changes: ResourceChange[]): string {
  const lines = changes.flatMap((c) => {
    if (c.action === 'Remove') return [`  ✘ removes ${c.logicalId} (${c.type})`]
    if (c.replacement !== 'True' && c.replacement !== 'Conditional') return []
    const forcing = (c.details ?? []).filter((d) => d.recreation !== 'Never').map((d) => d.property)
    return [`  ✘ replaces${c.replacement === 'Conditional' ? ' (conditionally)' : ''} ${c.logicalId} (${c.type})${forcing.length ? `: ${forcing.join(', ')} changed` : ''}`]
  })
  return lines.length ? `\n${lines.join('\n')}` : ''
}
