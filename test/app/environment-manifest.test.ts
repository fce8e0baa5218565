// `pier env show --manifest` for a workspace of Copilot before v1.21: the environment's VPC and
// subnets read back from its deployed stack.
import {describe, expect, it} from 'vitest'

import {manifestFromStack} from '../../src/app/environment-manifest.js'

describe('manifestFromStack', () => {
  it('imports the deployed VPC and its subnets', () => {
    const m = manifestFromStack('prod', {Outputs: [
      {OutputKey: 'VpcId', OutputValue: 'vpc-1'},
      {OutputKey: 'PublicSubnets', OutputValue: 'subnet-a,subnet-b'},
      {OutputKey: 'PrivateSubnets', OutputValue: 'subnet-c, subnet-d'},
      {OutputKey: 'ClusterId', OutputValue: 'c'},
    ]})
    expect(m).toEqual({name: 'prod', type: 'Environment', network: {vpc: {id: 'vpc-1', subnets: {public: [{id: 'subnet-a'}, {id: 'subnet-b'}], private: [{id: 'subnet-c'}, {id: 'subnet-d'}]}}}})
  })

  it('is the default environment when the stack has no VPC output', () => {
    expect(manifestFromStack('test', {Outputs: []})).toEqual({name: 'test', type: 'Environment'})
  })
})
