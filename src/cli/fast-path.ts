// Commands run often enough in scripts and CI that loading the CLI framework (~150 ms) would
// dominate them are answered here first, when their arguments are simple; anything else (help,
// unknown flags, mistakes) falls through to oclif, which parses and reports as usual.
import {reportFailure} from './errors.js'
import type {ValidateFlags} from './validate-output.js'

/** Flags of `pier validate`, or undefined when oclif should parse them. */
export function parseValidateArgs(args: readonly string[]): (ValidateFlags & {debug: boolean}) | undefined {
  const flags: ValidateFlags & {debug: boolean} = {debug: false}
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const eq = arg.indexOf('=')
    const [key, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined]
    const value = (): string | undefined => (inline !== undefined ? inline || undefined : args[i + 1] !== undefined && !args[i + 1]!.startsWith('-') ? args[++i] : undefined)
    switch (key) {
      case '--json':
        flags.json = true
        break
      case '--debug':
        flags.debug = true
        break
      case '-a':
      case '--app': {
        const v = value()
        if (v === undefined) return undefined
        flags.app = v
        break
      }
      case '-n':
      case '--name':
      case '-e':
      case '--env': {
        const v = value()
        if (v === undefined) return undefined
        const list = key === '-n' || key === '--name' ? (flags.name ??= []) : (flags.env ??= [])
        list.push(v)
        break
      }
      default:
        return undefined
    }
  }
  return flags
}

/** Runs the command if the fast path can; returns false to let oclif handle it. */
export async function runFast(args: readonly string[]): Promise<boolean> {
  if (args[0] !== 'validate') return false
  const flags = parseValidateArgs(args.slice(1))
  if (!flags) return false
  const {runValidate} = await import('./validate-output.js')
  try {
    runValidate(flags)
  } catch (error) {
    process.exitCode = reportFailure(error, flags.debug)
  }
  return true
}
