// Templates larger than CloudFormation's inline limit go through an S3 bucket of the account, as
// AWS requires (`TemplateURL`).
import type {AwsClients} from '../aws/interfaces.js'
import {isAwsError} from '../aws/errors.js'

export function templateUploader(aws: Pick<AwsClients, 'objects' | 'identity' | 'region'>, now: () => number = Date.now) {
  let bucket: Promise<string> | undefined
  async function ensureBucket(): Promise<string> {
    const account = (await aws.identity.getCallerIdentity({})).Account ?? 'account'
    const name = `pier-templates-${account}-${aws.region}`
    try {
      await aws.objects.headBucket({Bucket: name})
    } catch (error) {
      if (!isAwsError(error, 'NotFound', 'NoSuchBucket', '404')) throw error
      await aws.objects.createBucket({Bucket: name, ...(aws.region === 'us-east-1' ? {} : {CreateBucketConfiguration: {LocationConstraint: aws.region as never}})})
    }
    return name
  }
  return async (stackName: string, body: string): Promise<string> => {
    bucket ??= ensureBucket()
    const name = await bucket
    const key = `${stackName}/${now()}.json`
    await aws.objects.putObject({Bucket: name, Key: key, Body: body, ContentType: 'application/json'})
    return `https://${name}.s3.${aws.region}.amazonaws.com/${key}`
  }
}
