// Override scaffolding, and a CDK override run as Copilot runs it (install, then `cdk synth`), with a
// stand-in `cdk` package installed from a local directory so the test needs no network.
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {overrideFiles} from '../../src/addons/override-scaffold.js'
import {applyPatches, parseCfnYaml} from '../../src/addons/index.js'
import {runCdkOverride} from '../../src/app/cdk-override.js'
import {UserError} from '../../src/errors.js'

describe('override scaffolding', () => {
  it('writes a patch file whose examples are all commented out, so it changes nothing until edited', () => {
    const files = overrideFiles('yamlpatch', 'workload')
    expect(files.map((f) => f.path)).toEqual(['cfn.patches.yml', 'README.md'])
    const r = applyPatches({Resources: {}}, parseCfnYaml('cfn.patches.yml', files[0]!.content))
    expect(r).toMatchObject({problems: [], applied: 0})
    // Uncommented, the examples are patches that apply to a rendered workload.
    const uncommented = files[0]!.content.split('\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2)).filter((l) => /^[- ]/.test(l)).join('\n')
    const applied = applyPatches({Resources: {TaskRole: {Properties: {}}, LogGroup: {Properties: {RetentionInDays: 30}}}}, parseCfnYaml('p.yml', uncommented))
    expect(applied.problems).toEqual([])
    expect(applied.template.Resources.LogGroup.Properties.RetentionInDays).toBe(365)
  })

  it('writes a CDK application with a transform per chosen resource, importing their L1 modules', () => {
    const files = overrideFiles('cdk', 'environment', [{logicalId: 'Cluster', type: 'AWS::ECS::Cluster'}, {logicalId: 'PublicLoadBalancer', type: 'AWS::ElasticLoadBalancingV2::LoadBalancer'}])
    expect(files.map((f) => f.path)).toEqual(['package.json', 'cdk.json', 'tsconfig.json', '.gitignore', 'bin/override.ts', 'stack.ts', 'README.md'])
    const stack = files.find((f) => f.path === 'stack.ts')!.content
    expect(stack).toContain("import { aws_ecs } from 'aws-cdk-lib';")
    expect(stack).toContain("this.template.getResource('PublicLoadBalancer') as aws_elasticloadbalancingv2.CfnLoadBalancer")
    expect(stack).toContain('this.transformCluster();')
    expect(stack).toContain('readonly envName: string;')
    expect(JSON.parse(files[1]!.content)).toEqual({app: 'npx ts-node --prefer-ts-exts bin/override.ts', versionReporting: false})
  })
})

describe('CDK overrides', () => {
  function project(cdkScript: string): string {
    const root = mkdtempSync(join(tmpdir(), 'pier-cdk-'))
    const fake = join(root, 'fake-cdk')
    mkdirSync(fake)
    writeFileSync(join(fake, 'package.json'), JSON.stringify({name: 'fake-cdk', version: '1.0.0', bin: {cdk: 'cdk.js'}}))
    writeFileSync(join(fake, 'cdk.js'), `#!/usr/bin/env node\n${cdkScript}`)
    const dir = join(root, 'overrides')
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({name: 'override', version: '0.1.0', private: true, devDependencies: {'fake-cdk': `file:${fake}`}}))
    writeFileSync(join(dir, 'cdk.json'), '{}')
    return dir
  }

  it('installs, writes .build/in.yml, synthesizes and keeps only the template sections', () => {
    const dir = project(`const fs = require('fs')
const t = fs.readFileSync('.build/in.yml', 'utf8')
if (process.argv[2] !== 'synth' || process.argv[3] !== '--no-version-reporting') process.exit(9)
process.stdout.write(t.replace('RetentionInDays: 30', 'RetentionInDays: 7') +
  'Parameters:\\n  BootstrapVersion:\\n    Type: AWS::SSM::Parameter::Value<String>\\nRules:\\n  CheckBootstrapVersion: {}\\n')
`)
    const out = runCdkOverride(dir, {Description: 'Pier backend service api.', Resources: {LogGroup: {Type: 'AWS::Logs::LogGroup', Properties: {RetentionInDays: 30}}}}, {app: 'shop', env: 'test'})
    expect(out).toEqual({Description: 'Pier backend service api with CDK overrides.', Resources: {LogGroup: {Type: 'AWS::Logs::LogGroup', Properties: {RetentionInDays: 7}}}})
    expect(readFileSync(join(dir, '.build', 'in.yml'), 'utf8')).toContain('RetentionInDays: 30')
  }, 120_000)

  it('reports a failing synth with its output', () => {
    const dir = project(`console.error('Error: transformTaskRole failed'); process.exit(1)\n`)
    let caught: unknown
    try {
      runCdkOverride(dir, {Resources: {}}, {app: 'shop', env: 'test'})
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(UserError)
    expect((caught as Error).message).toMatch(/cdk synth --no-version-reporting` failed in .* \(exit 1\):\nError: transformTaskRole failed/)
  }, 120_000)
})
