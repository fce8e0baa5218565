// The S3Client and the commands Pier sends with it, and nothing else: bundled from the SDK's ES
// modules, the rest of the service's commands are left out (see scripts/build.mjs).
export {S3Client, HeadBucketCommand, CreateBucketCommand, PutObjectCommand, ListObjectsV2Command, DeleteObjectsCommand, DeleteBucketCommand} from '@aws-sdk/client-s3'
