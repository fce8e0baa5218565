// AWS::S3::Bucket as a bucket of the local S3 (objects put there are real and readable by tasks through
// the SDK). Bucket settings (versioning, encryption, lifecycle, public access) are recorded, not applied.

import type {LocalS3} from '../../s3/index.js'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider} from '../provider.js'
import {randomSuffix} from './util.js'

function bucketName(props: Record<string, any>, ctx: ProviderContext): string {
  if (props.BucketName) return String(props.BucketName)
  // CloudFormation's generated names are lower case, within S3's 63 characters.
  const suffix = randomSuffix(12, 'abcdefghijklmnopqrstuvwxyz0123456789')
  const base = `${ctx.stackName}-${ctx.logicalId}`.toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 63 - suffix.length - 1)
  return `${base}-${suffix}`
}

function attributes(name: string, ctx: ProviderContext): Record<string, unknown> {
  return {
    Arn: `arn:aws:s3:::${name}`,
    DomainName: `${name}.s3.amazonaws.com`,
    RegionalDomainName: `${name}.s3.${ctx.region}.amazonaws.com`,
    DualStackDomainName: `${name}.s3.dualstack.${ctx.region}.amazonaws.com`,
    WebsiteURL: `http://${name}.s3-website-${ctx.region}.amazonaws.com`,
  }
}

export function registerS3Providers(registry: ProviderRegistry, s3: LocalS3): void {
  const bucket: ResourceProvider = {
    immutable: ['BucketName'],
    async create(props, ctx) {
      const name = bucketName(props, ctx)
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) throw new ProviderError(`Bucket name should not contain invalid characters: ${name}`)
      if (s3.store.bucket(name)) throw new ProviderError(`${name} already exists`)
      s3.store.createBucket(name, ctx.region)
      return {physicalId: name, attributes: attributes(name, ctx)}
    },
    async update(name, _props, _old, ctx) {
      return {physicalId: name, attributes: attributes(name, ctx)}
    },
    async delete(name) {
      const b = s3.store.bucket(name)
      if (!b) return
      if (Object.keys(b.objects).length > 0) {
        throw new ProviderError(`Resource handler returned message: "The bucket you tried to delete is not empty (Service: S3, Status Code: 409)" (HandlerErrorCode: GeneralServiceException)`)
      }
      s3.store.deleteBucket(name)
    },
  }
  registry.register('AWS::S3::Bucket', bucket)
}
