// Local code named by addon templates: found, zipped reproducibly, and replaced by S3 locations.
import {execFileSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {localAssets, parseCfnYaml, withUploadedAssets} from '../../src/addons/index.js'
import {zipPath} from '../../src/workspace/zip.js'

const TEMPLATE = `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: functions/resize
      Handler: index.handler
  Remote:
    Type: AWS::Lambda::Function
    Properties:
      Code: {S3Bucket: b, S3Key: k}
  Sam:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./functions/resize
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://example.com/t.yml
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: api/openapi.yml}
`

describe('local assets of addons', () => {
  const template = parseCfnYaml('a.yml', TEMPLATE).value as Record<string, any>

  it('finds the local paths Copilot packages, not S3 or web locations', () => {
    expect(localAssets(template)).toEqual([
      {path: 'functions/resize', where: 'Resources.Fn.Properties.Code', zip: true},
      {path: './functions/resize', where: 'Resources.Sam.Properties.CodeUri', zip: true},
      {path: 'api/openapi.yml', where: 'Resources.Api.Properties.Body.Fn::Transform', zip: false},
    ])
  })

  it('writes bucket/key objects or s3:// strings in their place', () => {
    const out = withUploadedAssets(template, (p) => ({bucket: 'bkt', key: `assets/${p.replace(/\W/g, '')}`}))
    expect(out.Resources.Fn.Properties.Code).toEqual({S3Bucket: 'bkt', S3Key: 'assets/functionsresize'})
    expect(out.Resources.Sam.Properties.CodeUri).toBe('s3://bkt/assets/functionsresize')
    expect(out.Resources.Api.Properties.Body['Fn::Transform'].Parameters.Location).toBe('s3://bkt/assets/apiopenapiyml')
    expect(out.Resources.Remote.Properties.Code).toEqual({S3Bucket: 'b', S3Key: 'k'})
    expect(template.Resources.Fn.Properties.Code).toBe('functions/resize')
  })
})

describe('zipPath', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pier-zip-'))
  mkdirSync(join(dir, 'fn', 'lib'), {recursive: true})
  writeFileSync(join(dir, 'fn', 'index.js'), 'exports.handler = async () => "ok"\n'.repeat(20))
  writeFileSync(join(dir, 'fn', 'lib', 'run.sh'), '#!/bin/sh\necho hi\n')
  chmodSync(join(dir, 'fn', 'lib', 'run.sh'), 0o755)

  it('is reproducible: the same files give the same bytes', () => {
    expect(zipPath(join(dir, 'fn')).equals(zipPath(join(dir, 'fn')))).toBe(true)
  })

  it.skipIf(!hasUnzip())('is read back by unzip with names, contents and modes', () => {
    const file = join(dir, 'out.zip')
    writeFileSync(file, zipPath(join(dir, 'fn')))
    expect(execFileSync('unzip', ['-t', file], {encoding: 'utf8'})).toContain('No errors detected')
    expect(execFileSync('unzip', ['-p', file, 'lib/run.sh'], {encoding: 'utf8'})).toBe('#!/bin/sh\necho hi\n')
    expect(execFileSync('unzip', ['-Z', file], {encoding: 'utf8'})).toMatch(/-rwxr-xr-x.*lib\/run\.sh/)
    const single = join(dir, 'single.zip')
    writeFileSync(single, zipPath(join(dir, 'fn', 'index.js')))
    expect(execFileSync('unzip', ['-Z1', single], {encoding: 'utf8'}).trim()).toBe('index.js')
  })
})

function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}
