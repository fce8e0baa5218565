// Commands run often enough in scripts and CI that loading the CLI framework (~150 ms) would
// dominate them (`validate`, `svc package`, `job package`) are answered here first, when their
// arguments are simple; anything else (help, unknown flags, mistakes, a value to prompt for) falls
// through to oclif, which parses and reports as usual.
import {reportFailure} from './errors.js'
import type {PackageFlags} from './package-run.js'
import type {ValidateFlags} from './validate-output.js'

type FlagKind = 'string' | 'list' | 'boolean'

/** A command's flags as the fast path knows them: every spelling (`-n`, `--name`) to a key and kind. */
type FlagSpec = Record<string, {key: string; kind: FlagKind}>

/** Parses `args` as oclif would for these flags; undefined for anything else (help, unknown flags,
 * missing values), which oclif then parses and reports. */
export function parseSimpleFlags(args: readonly string[], spec: FlagSpec): Record<string, string | string[] | boolean> | undefined {
  const out: Record<string, string | string[] | boolean> = {}
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const eq = arg.indexOf('=')
    const [key, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined]
    const flag = spec[key]
    if (!flag) return undefined
    if (flag.kind === 'boolean') {
      if (inline !== undefined) return undefined
      out[flag.key] = true
      continue
    }
    const value = inline !== undefined ? inline || undefined : args[i + 1] !== undefined && !args[i + 1]!.startsWith('-') ? args[++i] : undefined
    if (value === undefined) return undefined
    if (flag.kind === 'list') ((out[flag.key] ??= []) as string[]).push(value)
    else if (out[flag.key] !== undefined) return undefined
    else out[flag.key] = value
  }
  return out
}

const flag = (kind: FlagKind, key: string, ...names: string[]): FlagSpec => Object.fromEntries(names.map((n) => [n, {key, kind}]))

const VALIDATE_FLAGS: FlagSpec = {
  ...flag('boolean', 'json', '--json'),
  ...flag('boolean', 'debug', '--debug'),
  ...flag('string', 'app', '-a', '--app'),
  ...flag('list', 'name', '-n', '--name'),
  ...flag('list', 'env', '-e', '--env'),
  ...flag('boolean', 'strict', '--strict'),
}

const PACKAGE_FLAGS: FlagSpec = {
  ...flag('boolean', 'debug', '--debug'),
  ...flag('boolean', 'all', '--all'),
  ...flag('string', 'app', '-a', '--app'),
  ...flag('string', 'name', '-n', '--name'),
  ...flag('string', 'env', '-e', '--env'),
  ...flag('string', 'output-dir', '--output-dir'),
  ...flag('string', 'tag', '--tag'),
  ...flag('boolean', 'strict', '--strict'),
}

/** Flags of `pier validate`, or undefined when oclif should parse them. */
export function parseValidateArgs(args: readonly string[]): (ValidateFlags & {debug: boolean}) | undefined {
  const parsed = parseSimpleFlags(args, VALIDATE_FLAGS)
  return parsed && ({debug: false, ...parsed} as ValidateFlags & {debug: boolean})
}

/** Flags of `pier svc package` / `pier job package` when they need no prompt and no oclif check
 * (a name or --all, an environment; --all with --output-dir); else undefined, for oclif. */
export function parsePackageArgs(args: readonly string[]): (PackageFlags & {debug: boolean}) | undefined {
  const parsed = parseSimpleFlags(args, PACKAGE_FLAGS)
  if (!parsed || !parsed.env || (parsed.name === undefined) === (parsed.all === undefined)) return undefined
  // The AWS flags' variables, as oclif reads them: a package that looks something up (an imported load
  // balancer) goes where the user pointed Pier.
  const local = ['1', 'true', 'yes', 'y'].includes((process.env.PIER_LOCAL ?? '').toLowerCase())
  const fromEnv = {...(local ? {local} : {}), ...(process.env.AWS_PROFILE ? {profile: process.env.AWS_PROFILE} : {})}
  return {tag: 'latest', all: false, debug: false, ...fromEnv, ...parsed} as PackageFlags & {debug: boolean}
}

/** Runs the command if the fast path can; returns false to let oclif handle it. */
export async function runFast(args: readonly string[]): Promise<boolean> {
  if (args[0] === 'validate') {
    const flags = parseValidateArgs(args.slice(1))
    if (!flags) return false
    const {runValidate} = await import('./validate-output.js')
    await report(() => runValidate(flags), flags.debug)
    return true
  }
  if ((args[0] === 'svc' || args[0] === 'job') && args[1] === 'package') {
    const flags = parsePackageArgs(args.slice(2))
    if (!flags) return false
    const {runPackage} = await import('./package-run.js')
    await report(() => runPackage(args[0] === 'job' ? 'job' : 'service', flags), flags.debug)
    return true
  }
  return false
}

async function report(run: () => unknown, debug: boolean): Promise<void> {
  try {
    await run()
  } catch (error) {
    process.exitCode = reportFailure(error, debug)
  }
}
