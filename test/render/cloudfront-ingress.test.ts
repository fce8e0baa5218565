// `http.public.ingress.cdn`: the public load balancer admits CloudFront only, through the region's
// CloudFront origin-facing prefix list, whose ID is a deploy-time input of the renderer (as Copilot
// wrote the looked-up ID into its template).
import {describe, expect, it} from 'vitest'

import {resolveEnvironmentText} from '../../src/manifest/index.js'
import type {EnvironmentManifest} from '../../src/manifest/types.js'
import {RenderError, renderEnvironmentStack} from '../../src/render/index.js'
import {checkTemplate} from './check-template.js'
import {APP, defaultEnv} from './fixtures.js'

const needs = {publicAlb: ['web'], internalAlb: [], nat: []}
const PL = 'pl-3b927c52'

function resolve(text: string) {
  return resolveEnvironmentText({file: 'e.yml', text: `name: test\ntype: Environment\n${text}`, app: APP, env: 'test', environments: ['test'], vars: {}})
}

function ingressOf(manifest: EnvironmentManifest, cloudFrontPrefixListId?: string) {
  const s = renderEnvironmentStack({app: APP, env: 'test', manifest, needs, cloudFrontPrefixListId})
  expect(checkTemplate(s.template, s.parameters)).toEqual([])
  // Copilot's two groups: HTTP (80), and HTTPS (443), created when the environment has a certificate.
  const https = (s.parameters as Record<string, string>).CreateHTTPSListener === 'true'
  return ['PublicHTTPLoadBalancerSecurityGroup', ...(https ? ['PublicHTTPSLoadBalancerSecurityGroup'] : [])]
    .flatMap((id) => (s.template.Resources[id]?.Properties.SecurityGroupIngress ?? []) as Record<string, unknown>[])
}

describe('http.public.ingress.cdn', () => {
  it('admits the CloudFront prefix list only, on HTTP', () => {
    const m = resolve('cdn: true\nhttp:\n  public:\n    ingress:\n      cdn: true\n')
    expect(m.diagnostics).toEqual([])
    const rules = ingressOf(m.manifest, PL)
    expect(rules).toEqual([{SourcePrefixListId: PL, Description: `Allow ingress from prefix list ${PL} on port 80`, FromPort: 80, ToPort: 80, IpProtocol: 'tcp'}])
    expect(rules.some((r) => 'CidrIp' in r)).toBe(false)
  })

  it('reads Copilot’s older spelling (security_groups.ingress.restrict_to.cdn) the same way, and opens HTTPS with a certificate', () => {
    const m = resolve('cdn:\n  certificate: arn:aws:acm:us-east-1:1:certificate/c\nhttp:\n  public:\n    certificates: [arn:aws:acm:us-east-1:1:certificate/a]\n    security_groups:\n      ingress:\n        restrict_to:\n          cdn: true\n')
    expect(m.diagnostics).toEqual([])
    expect(ingressOf(m.manifest, PL).map((r) => [r.SourcePrefixListId, r.FromPort])).toEqual([[PL, 80], [PL, 443]])
  })

  it('keeps source_ips beside the prefix list, as Copilot did', () => {
    const m = {...defaultEnv, cdn: true, http: {public: {ingress: {cdn: true, source_ips: ['10.0.0.0/8']}}}} as EnvironmentManifest
    expect(ingressOf(m, PL).map((r) => r.SourcePrefixListId ?? r.CidrIp)).toEqual([PL, '10.0.0.0/8'])
  })

  it('without the restriction, the load balancer stays open to all (no lookup needed)', () => {
    expect(ingressOf({...defaultEnv, cdn: true} as EnvironmentManifest).map((r) => r.CidrIp)).toEqual(['0.0.0.0/0'])
  })

  it('refuses to render without the prefix list ID rather than leave the load balancer open', () => {
    const m = {...defaultEnv, cdn: true, http: {public: {ingress: {cdn: true}}}} as EnvironmentManifest
    expect(() => renderEnvironmentStack({app: APP, env: 'test', manifest: m, needs})).toThrow(RenderError)
    expect(() => renderEnvironmentStack({app: APP, env: 'test', manifest: m, needs})).toThrow(/com\.amazonaws\.global\.cloudfront\.origin-facing/)
  })

  it('is an error without a CloudFront distribution, as in Copilot (nothing could reach the load balancer)', () => {
    const r = resolve('http:\n  public:\n    ingress:\n      cdn: true\n')
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.path}`)).toEqual(['error missing-field http.public.ingress.cdn'])
    expect(r.diagnostics[0]!.hint).toContain('cdn: true')
  })
})
