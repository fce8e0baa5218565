// Copilot's command, entrypoint and health check forms, as ECS wants them.

import {splitCommandLine} from '../../exec/command-line.js'
import type {CommandOverride, ContainerHealthCheck} from '../../manifest/types.js'
import {wholeSeconds} from '../duration.js'
import type {Json} from '../template.js'

/** A string is split into words as Copilot split it (POSIX-shell quoting and backslash escapes, no
 * variables or globs: ECS runs the words as they are); a list is kept as written. The manifest rule
 * `commandRule` refuses a string that cannot be split before anything is rendered. */
export function commandList(value: CommandOverride | undefined): string[] | undefined {
  if (value === undefined) return undefined
  return Array.isArray(value) ? value.map(String) : splitCommandLine(value)
}

/** Container health check with Copilot's defaults (interval 10s, retries 2, timeout 5s, start period 0s). */
export function containerHealthCheck(hc: ContainerHealthCheck | undefined, field: string): Json | undefined {
  if (!hc?.command) return undefined
  const command = Array.isArray(hc.command) ? hc.command.map(String) : ['CMD-SHELL', hc.command]
  return {
    Command: command,
    Interval: wholeSeconds(hc.interval ?? '10s', `${field}.interval`),
    Retries: hc.retries ?? 2,
    Timeout: wholeSeconds(hc.timeout ?? '5s', `${field}.timeout`),
    StartPeriod: wholeSeconds(hc.start_period ?? '0s', `${field}.start_period`),
  }
}

/** ECS names the conditions of Copilot's `depends_on` (start, complete, success, healthy) in upper case. */
export function dependsOn(deps: Record<string, string> | undefined): Json[] | undefined {
  if (!deps) return undefined
  return Object.keys(deps)
    .sort()
    .map((ContainerName) => ({ContainerName, Condition: String(deps[ContainerName]).toUpperCase()}))
}
