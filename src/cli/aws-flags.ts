// The AWS flags every command that calls AWS takes. `--local` is only forwarded to the client factory,
// which alone decides what it means.
import {Flags} from '@oclif/core'

import type {AwsOptions} from '../aws/clients.js'

export const awsFlags = {
  profile: Flags.string({description: 'AWS profile from your shared config (SSO profiles too).', helpGroup: 'AWS', env: 'AWS_PROFILE'}),
  region: Flags.string({description: 'AWS region (default: AWS_REGION, then the profile\'s region).', helpGroup: 'AWS'}),
  'endpoint-url': Flags.string({description: 'Send every AWS call to this endpoint (also AWS_ENDPOINT_URL).', helpGroup: 'AWS'}),
  local: Flags.boolean({description: 'Use Pier\'s local control plane, starting it if it is not running.', helpGroup: 'AWS', env: 'PIER_LOCAL'}),
}

export function awsOptions(flags: {profile?: string; region?: string; 'endpoint-url'?: string; local?: boolean}): AwsOptions {
  return {profile: flags.profile, region: flags.region, endpoint: flags['endpoint-url'], local: flags.local}
}

/** Whether the user pointed Pier at an account or endpoint (a flag or the usual variables). */
export function awsTargetGiven(flags: Parameters<typeof awsOptions>[0], env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(flags.profile || flags.region || flags['endpoint-url'] || flags.local || env.AWS_PROFILE || env.AWS_REGION || env.AWS_DEFAULT_REGION || env.AWS_ENDPOINT_URL)
}
