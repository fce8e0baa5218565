// The lookup of the region's CloudFront prefix list before an environment deploy: by name, through
// EC2's DescribeManagedPrefixLists, only when the public load balancer admits CloudFront only.
import {describe, expect, it} from 'vitest'

import {cloudFrontPrefixListFor} from '../../src/app/cloudfront-prefix-list.js'
import {UserError} from '../../src/errors.js'
import type {EnvironmentManifest} from '../../src/manifest/types.js'

const restricted: EnvironmentManifest = {name: 'test', type: 'Environment', cdn: true, http: {public: {ingress: {cdn: true}}}}

function fakeEc2(lists: string[]) {
  const calls: unknown[] = []
  return {
    calls,
    networks: {
      describeManagedPrefixLists: async (input: unknown) => {
        calls.push(input)
        return {PrefixLists: lists.map((PrefixListId) => ({PrefixListId, PrefixListName: 'com.amazonaws.global.cloudfront.origin-facing'})), $metadata: {}}
      },
    },
  }
}

describe('cloudFrontPrefixListFor', () => {
  it('asks EC2 for the list by its AWS-managed name and returns its ID', async () => {
    const ec2 = fakeEc2(['pl-3b927c52'])
    expect(await cloudFrontPrefixListFor(ec2.networks, 'us-east-1', restricted)).toBe('pl-3b927c52')
    expect(ec2.calls).toEqual([{Filters: [{Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing']}]}])
  })

  it('asks nothing when the load balancer is not restricted to CloudFront', async () => {
    const ec2 = fakeEc2(['pl-3b927c52'])
    expect(await cloudFrontPrefixListFor(ec2.networks, 'us-east-1', {name: 'test', type: 'Environment', cdn: true})).toBeUndefined()
    expect(ec2.calls).toEqual([])
  })

  it('refuses clearly when the region has no such list, or more than one', async () => {
    const none = cloudFrontPrefixListFor(fakeEc2([]).networks, 'xx-east-9', restricted)
    await expect(none).rejects.toBeInstanceOf(UserError)
    await expect(none).rejects.toThrow('EC2 in xx-east-9 has no prefix list of that name')
    await expect(cloudFrontPrefixListFor(fakeEc2(['pl-1', 'pl-2']).networks, 'us-east-1', restricted)).rejects.toThrow('2 prefix lists of that name (pl-1, pl-2)')
  })
})
