// Where a request or a TemplateURL points in the local S3: path style, virtual-host style, and the URL
// forms CloudFormation accepts, with anything else refused (the reader never goes to the network).
import {describe, expect, it} from 'vitest'

import {addressOf, addressOfUrl, bucketOfHost} from '../../src/local/s3/addressing.js'

describe('S3 addressing', () => {
  it.each([
    ['127.0.0.1:4566', undefined],
    ['localhost:4566', undefined],
    ['s3.localhost:4566', undefined],
    ['s3.us-east-1.amazonaws.com', undefined],
    ['templates.localhost:4566', 'templates'],
    ['my.dotted.bucket.s3.us-east-1.amazonaws.com', 'my.dotted.bucket'],
    ['legacy.s3.amazonaws.com', 'legacy'],
    ['dash.s3-eu-west-1.amazonaws.com', 'dash'],
  ])('host %s names bucket %s', (host, bucket) => {
    expect(bucketOfHost(host)).toBe(bucket)
  })

  it('splits and decodes path-style and virtual-host paths', () => {
    expect(addressOf('/', undefined)).toEqual({})
    expect(addressOf('/b', undefined)).toEqual({bucket: 'b'})
    expect(addressOf('/b/', undefined)).toEqual({bucket: 'b'})
    expect(addressOf('/b/dir/a%20b%2Bc.json', undefined)).toEqual({bucket: 'b', key: 'dir/a b+c.json'})
    expect(addressOf('/b/a//b/../c', undefined)).toEqual({bucket: 'b', key: 'a//b/../c'})
    expect(addressOf('/', 'vb')).toEqual({bucket: 'vb'})
    expect(addressOf('/k/ey', 'vb')).toEqual({bucket: 'vb', key: 'k/ey'})
  })

  it.each([
    ['https://pier-templates-1-us-east-1.s3.us-east-1.amazonaws.com/app-test/1.json', {bucket: 'pier-templates-1-us-east-1', key: 'app-test/1.json'}],
    ['https://b.s3.amazonaws.com/k.json', {bucket: 'b', key: 'k.json'}],
    ['https://s3.us-east-1.amazonaws.com/b/dir/k.json', {bucket: 'b', key: 'dir/k.json'}],
    ['https://s3.amazonaws.com/b/k.json', {bucket: 'b', key: 'k.json'}],
    ['http://127.0.0.1:4566/b/k.json', {bucket: 'b', key: 'k.json'}],
    ['http://localhost:4566/b/k%20x.json', {bucket: 'b', key: 'k x.json'}],
  ])('TemplateURL %s is %o', (url, address) => {
    expect(addressOfUrl(url, 4566)).toEqual(address)
  })

  it.each([
    'http://127.0.0.1:9999/b/k.json', // another port: not this endpoint
    'http://b.s3.us-east-1.amazonaws.com/k.json', // AWS URLs are https
    'https://example.com/b/k.json',
    'https://s3.us-east-1.amazonaws.com/b', // no key
    'not a url',
  ])('refuses TemplateURL %s', (url) => {
    expect(addressOfUrl(url, 4566)).toBeUndefined()
  })
})
