// AWS-managed prefix lists as EC2 lists them in every region. The one Pier's clients ask for is
// CloudFront's origin-facing list, which an environment's public load balancer admits when it is
// restricted to CloudFront (`http.public.ingress.cdn`). Its ID is stable for a region, as on AWS,
// where each region has its own ID for the same list.

import {createHash} from 'node:crypto'

import type {Tags} from './network.js'

export interface ManagedPrefixList {
  prefixListId: string
  prefixListName: string
  addressFamily: 'IPv4' | 'IPv6'
  maxEntries: number
  tags: Tags
}

/** The ID EC2 gives a managed list in a region: `pl-` and eight hex digits, the same on every start. */
function managedId(region: string, name: string): string {
  return `pl-${createHash('sha256').update(`${region}/${name}`).digest('hex').slice(0, 8)}`
}

export function managedPrefixLists(region: string): ManagedPrefixList[] {
  const name = 'com.amazonaws.global.cloudfront.origin-facing'
  return [{prefixListId: managedId(region, name), prefixListName: name, addressFamily: 'IPv4', maxEntries: 55, tags: []}]
}
