// CDK overrides: `overrides/` holding a CDK application that reads the rendered template from
// `.build/in.yml` and synthesizes the overridden one, run as Copilot runs it: the package manager's
// install, then `node_modules/.bin/cdk synth --no-version-reporting`, whose stdout is the template.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {type Json, parseCfnYaml} from '../addons/index.js'
import {UserError} from '../errors.js'
import {toYaml} from '../render/template-yaml.js'

const SECTIONS = ['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs']

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const out = spawnSync(cmd, args, {cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  if (out.error) throw new UserError(`cannot run \`${cmd} ${args.join(' ')}\` in ${cwd}: ${out.error.message}`, {hint: 'CDK overrides need Node.js and npm (or yarn) on the PATH.'})
  if (out.status !== 0) {
    const tail = (out.stderr || out.stdout || '').trim().split('\n').slice(-15).join('\n')
    throw new UserError(`\`${cmd} ${args.join(' ')}\` failed in ${cwd} (exit ${out.status}):\n${tail}`, {hint: 'Fix the CDK application in overrides/ and run the command again.'})
  }
  return out.stdout
}

export function runCdkOverride(dir: string, template: Json, vars: {app: string; env: string}): Json {
  const manager = existsSync(join(dir, 'yarn.lock')) ? 'yarn' : 'npm'
  const env = {...process.env, COPILOT_APPLICATION_NAME: vars.app, COPILOT_ENVIRONMENT_NAME: vars.env}
  run(manager, ['install'], dir, env)
  mkdirSync(join(dir, '.build'), {recursive: true})
  writeFileSync(join(dir, '.build', 'in.yml'), toYaml(template))
  const cdk = join(dir, 'node_modules', '.bin', 'cdk')
  if (!existsSync(cdk)) throw new UserError(`${cdk} is missing after \`${manager} install\`: the CDK application in overrides/ must depend on aws-cdk`, {hint: 'Add aws-cdk to its devDependencies (`pier svc override` scaffolds one).'})
  const body = run(cdk, ['synth', '--no-version-reporting'], dir, env)
  const parsed = parseCfnYaml(join(dir, 'cdk synth'), body)
  if (parsed.errors.length > 0 || typeof parsed.value !== 'object' || parsed.value === null) {
    throw new UserError(`the CDK application in ${dir} did not print a template: ${parsed.errors[0]?.message ?? 'empty output'}`, {hint: 'Its stack must synthesize one template to stdout.'})
  }
  // What CDK adds for its own bootstrap is not part of the workload's stack (Copilot drops it too).
  const doc = parsed.value as Json
  const out: Json = {}
  for (const k of SECTIONS) if (doc[k] !== undefined) out[k] = doc[k]
  if (out.Parameters) delete out.Parameters.BootstrapVersion
  if (out.Parameters && Object.keys(out.Parameters).length === 0) delete out.Parameters
  out.Description = `${String(out.Description ?? template.Description ?? '').replace(/\.$/, '')} with CDK overrides.`
  return out
}
