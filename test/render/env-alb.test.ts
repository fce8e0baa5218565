// The environment's load balancers: access logs of the public one, the internal one's HTTPS listener,
// and Container Insights' modes.
import {describe, expect, it} from 'vitest'

import type {EnvironmentManifest} from '../../src/manifest/types.js'
import {renderEnvironmentStack} from '../../src/render/index.js'
import {APP, defaultEnv, httpsEnv} from './fixtures.js'

const needs = {publicAlb: ['web'], internalAlb: ['api'], nat: []}
const render = (manifest: EnvironmentManifest) => renderEnvironmentStack({app: APP, env: manifest.name, manifest, needs}).template.Resources

describe('the environment\'s load balancers', () => {
  it('write access logs to the bucket named, under the prefix given', () => {
    const withPrefix = render({...defaultEnv, http: {public: {access_logs: {bucket_name: 'logs', prefix: 'alb'}}}} as EnvironmentManifest)
    expect(withPrefix.PublicLoadBalancer.Properties.LoadBalancerAttributes).toEqual([
      {Key: 'access_logs.s3.enabled', Value: 'true'},
      {Key: 'access_logs.s3.bucket', Value: 'logs'},
      {Key: 'access_logs.s3.prefix', Value: 'alb'},
    ])
    const noPrefix = render({...defaultEnv, http: {public: {access_logs: {bucket_name: 'logs'}}}} as EnvironmentManifest)
    expect(noPrefix.PublicLoadBalancer.Properties.LoadBalancerAttributes).toEqual([{Key: 'access_logs.s3.enabled', Value: 'true'}, {Key: 'access_logs.s3.bucket', Value: 'logs'}])
    for (const access_logs of [undefined, true, {}]) {
      expect(render({...defaultEnv, http: {public: {access_logs}}} as EnvironmentManifest).PublicLoadBalancer.Properties.LoadBalancerAttributes, String(access_logs)).toBeUndefined()
    }
  })

  it('give the internal load balancer an HTTPS listener with the first private certificate and the policy asked for', () => {
    const r = render({...httpsEnv, http: {...httpsEnv.http, private: {certificates: ['arn:c1', 'arn:c2'], ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06'}}} as EnvironmentManifest)
    expect(r.InternalHTTPSListener.Condition).toBe('CreateInternalALB')
    expect(r.InternalHTTPSListener.Properties).toMatchObject({Port: 443, Protocol: 'HTTPS', Certificates: [{CertificateArn: 'arn:c1'}], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06'})
    expect(r.InternalHTTPListener.Condition).toBe('CreateInternalALB')
  })
})
