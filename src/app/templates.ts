// Templates larger than CloudFormation's inline limit go through an S3 bucket of the account, as
// AWS requires (`TemplateURL`): `pier-templates-<account>-<region>`, keys `<stackName>/<ms>.json`.
//
// CloudFormation reads the object when the change set is created and keeps its own copy, so only the
// latest upload of each stack is kept (what the stack runs now, for inspection); older ones are
// removed after each upload, and `pier app delete` removes the application's and then the bucket when
// it is empty. Copilot keeps every upload; a bucket that only grows helps nobody.
import type {AwsClients} from '../aws/interfaces.js'
import {isAwsError} from '../aws/errors.js'

type Aws = Pick<AwsClients, 'objects' | 'identity' | 'region'>

async function bucketName(aws: Aws): Promise<string> {
  const account = (await aws.identity.getCallerIdentity({})).Account ?? 'account'
  return `pier-templates-${account}-${aws.region}`
}

async function ensureBucket(aws: Aws): Promise<string> {
  const name = await bucketName(aws)
  try {
    await aws.objects.headBucket({Bucket: name})
  } catch (error) {
    if (!isAwsError(error, 'NotFound', 'NoSuchBucket', '404')) throw error
    try {
      await aws.objects.createBucket({Bucket: name, ...(aws.region === 'us-east-1' ? {} : {CreateBucketConfiguration: {LocationConstraint: aws.region as never}})})
    } catch (created) {
      // Deploys in parallel (deploy --all) each make sure of the bucket: one creates it, the others find it made.
      if (!isAwsError(created, 'BucketAlreadyOwnedByYou')) throw created
    }
  }
  return name
}

/** Keys under `<stackName>/` that the latest-template housekeeping keeps: the addons templates and their
 * code, content-addressed, which nested stacks read while the change set executes. */
export const ARTIFACT_PREFIXES = ['addons/', 'assets/']

export function templateUploader(aws: Aws, now: () => number = Date.now) {
  let bucket: Promise<string> | undefined
  return async (stackName: string, body: string): Promise<string> => {
    bucket ??= ensureBucket(aws)
    const name = await bucket
    const key = `${stackName}/${now()}.json`
    await aws.objects.putObject({Bucket: name, Key: key, Body: body, ContentType: 'application/json'})
    // Housekeeping must never fail a deploy (e.g. a role allowed s3:PutObject but not s3:ListBucket).
    const kept = (k: string) => k === key || ARTIFACT_PREFIXES.some((p) => k.startsWith(`${stackName}/${p}`))
    await removeObjects(aws, name, (k) => !kept(k), `${stackName}/`).catch(() => undefined)
    return `https://${name}.s3.${aws.region}.amazonaws.com/${key}`
  }
}

/** Puts deploy artifacts (addons templates, zipped code) into the same bucket, under the stack's prefix,
 * removed with the stack's templates when the workload or application is deleted. */
export function artifactUploader(aws: Aws) {
  let bucket: Promise<string> | undefined
  return async (key: string, body: Uint8Array | string, contentType: string): Promise<{bucket: string; key: string; url: string}> => {
    bucket ??= ensureBucket(aws)
    const name = await bucket
    await aws.objects.putObject({Bucket: name, Key: key, Body: body, ContentType: contentType})
    return {bucket: name, key, url: `https://${name}.s3.${aws.region}.amazonaws.com/${key}`}
  }
}

/** Deletes the keys `select` picks, a page of 1000 at a time; returns how many were deleted. */
async function removeObjects(aws: Aws, bucket: string, select: (key: string) => boolean, prefix?: string): Promise<number> {
  const keys: string[] = []
  let token: string | undefined
  do {
    const page = await aws.objects.listObjectsV2({Bucket: bucket, ContinuationToken: token, ...(prefix ? {Prefix: prefix} : {})})
    for (const o of page.Contents ?? []) if (o.Key && select(o.Key)) keys.push(o.Key)
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000)
    const out = await aws.objects.deleteObjects({Bucket: bucket, Delete: {Objects: batch.map((Key) => ({Key})), Quiet: true}})
    const failed = out.Errors?.[0]
    if (failed) throw new Error(`S3 did not delete ${failed.Key}: ${failed.Code} ${failed.Message ?? ''}`.trim())
  }
  return keys.length
}

/** Removes the uploaded templates of these stacks (deleted workloads); the bucket stays. */
export async function removeStackTemplates(aws: Aws, stackNames: string[]): Promise<number> {
  if (stackNames.length === 0) return 0
  const name = await bucketName(aws)
  let removed = 0
  try {
    for (const stack of stackNames) removed += await removeObjects(aws, name, () => true, `${stack}/`)
  } catch (error) {
    if (isAwsError(error, 'NoSuchBucket', 'NotFound')) return removed
    throw error
  }
  return removed
}

/**
 * Removes the uploaded templates of the stacks `ownsStack` picks (by the stack name in the key), then
 * the bucket if nothing is left in it. A missing bucket means there is nothing to remove.
 */
export async function removeTemplates(aws: Aws, ownsStack: (stackName: string) => boolean): Promise<{objects: number; bucketDeleted: boolean}> {
  const name = await bucketName(aws)
  let objects: number
  try {
    objects = await removeObjects(aws, name, (key) => ownsStack(key.split('/')[0]!))
  } catch (error) {
    if (isAwsError(error, 'NoSuchBucket', 'NotFound')) return {objects: 0, bucketDeleted: false}
    throw error
  }
  const left = await aws.objects.listObjectsV2({Bucket: name, MaxKeys: 1})
  if ((left.KeyCount ?? left.Contents?.length ?? 0) > 0) return {objects, bucketDeleted: false}
  try {
    await aws.objects.deleteBucket({Bucket: name})
  } catch (error) {
    // Another deploy uploaded in between: the bucket stays for it.
    if (isAwsError(error, 'BucketNotEmpty', 'NoSuchBucket')) return {objects, bucketDeleted: false}
    throw error
  }
  return {objects, bucketDeleted: true}
}
