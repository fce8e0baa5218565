// Deploy's side of addons: local code the templates name is zipped (or copied) into S3, the template is
// rewritten to point at it, and the merged template is uploaded for the nested stack's TemplateURL.
// Keys are content-addressed (`<stack>/assets/<sha256>`, `<stack>/addons/<sha256>.yml`): an unchanged
// addons stack keeps the same URL, so CloudFormation sees no change to it.
import {createHash} from 'node:crypto'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {isAbsolute, join} from 'node:path'

import {type AddonsStack, localAssets, type S3Object, withUploadedAssets} from '../addons/index.js'
import type {AwsClients} from '../aws/interfaces.js'
import {type Emit, event} from '../deploy/events.js'
import {UserError} from '../errors.js'
import {zipPath} from '../workspace/zip.js'
import {addonsTemplateBody} from './addons.js'
import {artifactUploader} from './templates.js'

type Aws = Pick<AwsClients, 'objects' | 'identity' | 'region'>

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex')

export interface UploadedAddons {
  url: string
  /** The template as uploaded: local paths replaced by their S3 objects. */
  body: string
  /** Local files and directories uploaded for the template's code properties. */
  assets: {path: string; key: string}[]
}

export async function uploadAddons(aws: Aws, input: {root: string; stackName: string; stack: AddonsStack; emit?: Emit}): Promise<UploadedAddons> {
  const put = artifactUploader(aws)
  const uploaded = new Map<string, S3Object>()
  const assets: UploadedAddons['assets'] = []
  for (const asset of localAssets(input.stack.template)) {
    if (uploaded.has(asset.path)) continue
    const abs = isAbsolute(asset.path) ? asset.path : join(input.root, asset.path)
    if (!existsSync(abs)) {
      throw new UserError(`${asset.where} of the addons names ${asset.path}, which does not exist: local paths are relative to the directory holding copilot/ (${input.root})`, {
        hint: 'Fix the path, or point the property at an S3 location.',
      })
    }
    const zip = asset.zip || statSync(abs).isDirectory()
    const body = zip ? zipPath(abs) : readFileSync(abs)
    const obj = await put(`${input.stackName}/assets/${sha256(body)}${zip ? '.zip' : ''}`, body, zip ? 'application/zip' : 'application/octet-stream')
    uploaded.set(asset.path, {bucket: obj.bucket, key: obj.key})
    assets.push({path: asset.path, key: obj.key})
  }
  const template = uploaded.size ? withUploadedAssets(input.stack.template, (p) => uploaded.get(p)!) : input.stack.template
  const body = addonsTemplateBody({...input.stack, template})
  const obj = await put(`${input.stackName}/addons/${sha256(body)}.yml`, body, 'application/x-yaml')
  const resources = Object.keys(input.stack.template.Resources ?? {}).length
  const code = assets.length ? ` and ${assets.length} local code path${assets.length === 1 ? '' : 's'}` : ''
  input.emit?.(event('step', `Uploaded the addons of ${input.stackName} (${resources} resource${resources === 1 ? '' : 's'})${code}: nested stack AddonsStack.`, {name: `addons ${input.stackName}`, status: 'done', detail: obj.url}))
  return {url: obj.url, body, assets}
}
