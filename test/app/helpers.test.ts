import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {rulePriorities} from '../../src/app/deploy-inputs.js'
import {locateBuild} from '../../src/app/source-builds.js'
import {locate} from '../../src/app/locate.js'
import {formatLogLine, parseSince} from '../../src/app/logs.js'
import {workloadUrl} from '../../src/app/workload-deploy.js'
import {parseKeyValues} from '../../src/cli/key-values.js'
import {renderTaskStack} from '../../src/render/task-stack.js'
import {UserError} from '../../src/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'pier-helpers-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('task run helpers', () => {
  it('reads KEY=VALUE lists, comma-separated or repeated', () => {
    expect(parseKeyValues('--env-vars', ['A=1,B=x=y', 'C='])).toEqual({A: '1', B: 'x=y', C: ''})
    expect(() => parseKeyValues('--env-vars', ['nope'])).toThrow(UserError)
  })

  it('renders the task group stack with secrets by reference only', () => {
    const {stackName, template} = renderTaskStack({group: 'migrate', image: 'alpine:3', cpu: 256, memory: 512, command: ['echo', 'hi'], environment: {MODE: 'x'}, secrets: {DB: '/copilot/demo/test/secrets/db'}, region: 'us-east-1'})
    expect(stackName).toBe('task-migrate')
    const c = template.Resources.TaskDefinition.Properties.ContainerDefinitions[0]
    expect(c.Secrets).toEqual([{Name: 'DB', ValueFrom: '/copilot/demo/test/secrets/db'}])
    expect(c.LogConfiguration.Options['awslogs-stream-prefix']).toBe('copilot')
    expect(template.Resources.ExecutionRole.Properties.Policies[0].PolicyName).toBe('ReadSecrets')
  })
})

describe('logs helpers', () => {
  it('parses --since durations', () => {
    expect(parseSince('90s')).toBe(90_000)
    expect(parseSince('1h30m')).toBe(5_400_000)
    expect(() => parseSince('soon')).toThrow(/not a duration/)
  })

  it('prints lines like Copilot: container/short task id, message', () => {
    expect(formatLogLine({logStreamName: 'copilot/web/0123456789abcdef', timestamp: 0, message: 'ready'})).toBe('web/01234567 ready')
  })
})

describe('deploy-time inputs', () => {
  it('keeps the priorities a stack already has', async () => {
    const aws = {loadBalancers: {describeRules: async () => ({Rules: []})}} as never
    expect(await rulePriorities(aws, {paths: ['/', '/api'], current: {HTTPRulePriority: '7', HTTPRulePriority1: '8'}, listenerArns: ['l']})).toEqual([7, 8])
  })

  it('takes free priorities, the root path last', async () => {
    const aws = {loadBalancers: {describeRules: async () => ({Rules: [{Priority: 'default'}, {Priority: '1'}, {Priority: '50000'}]})}} as never
    expect(await rulePriorities(aws, {paths: ['/api', '/'], current: {}, listenerArns: ['l']})).toEqual([2, 49999])
  })

  it('gives deploys running side by side different priorities on a listener they share', async () => {
    // Each deploy reads the listener before either has created its rule, as in `pier deploy --all`.
    const listener: Record<string, {Priority: string}[]> = {shared: [{Priority: 'default'}, {Priority: '50000'}], other: [{Priority: '1'}]}
    const aws = {loadBalancers: {describeRules: async ({ListenerArn}: {ListenerArn: string}) => {
      await new Promise((r) => setImmediate(r))
      return {Rules: listener[ListenerArn] ?? []}
    }}} as never
    const reserved = new Map<string, Set<number>>()
    const [a, b, c, d] = await Promise.all([
      rulePriorities(aws, {paths: ['/'], current: {}, listenerArns: ['shared'], reserved}),
      rulePriorities(aws, {paths: ['/', '/api'], current: {}, listenerArns: ['shared'], reserved}),
      rulePriorities(aws, {paths: ['/'], current: {}, listenerArns: ['other'], reserved}),
      rulePriorities(aws, {paths: ['/api'], current: {HTTPRulePriority: '7'}, listenerArns: ['shared'], reserved}),
    ])
    expect([a, b, c, d]).toEqual([[49999], [49998, 1], [50000], [7]])
    // A kept priority is already on the listener: only new numbers are reserved.
    expect(reserved.get('shared')).toEqual(new Set([49999, 49998, 1]))
    // Without the shared reservations, both read the same rules and pick the same number.
    const alone = await Promise.all([1, 2].map(() => rulePriorities(aws, {paths: ['/'], current: {}, listenerArns: ['shared']})))
    expect(alone).toEqual([[49999], [49999]])
  })

  it('builds the URL from the environment\'s load balancer and the path', () => {
    const m = {name: 'web', type: 'Load Balanced Web Service' as const, http: {path: 'api'}}
    expect(workloadUrl(m, {PublicLoadBalancerDNSName: 'lb.local:8080'})).toBe('http://lb.local:8080/api')
    expect(workloadUrl({...m, http: {path: '/'}}, {PublicLoadBalancerDNSName: 'lb', HTTPSListenerArn: 'arn'})).toBe('https://lb')
  })

  it('builds the URL on an imported load balancer, or on CloudFront when only CloudFront may reach the load balancer', () => {
    const m = {name: 'web', type: 'Load Balanced Web Service' as const, http: {path: 'api'}}
    const outputs = {PublicLoadBalancerDNSName: 'lb', CloudFrontDomainName: 'd1.cloudfront.net'}
    const importedAlb = {arn: 'a', name: 'shared', dnsName: 'shared.elb', hostedZoneId: 'Z', securityGroups: [], listeners: [{arn: 'l', port: 443, protocol: 'HTTPS'}]}
    expect(workloadUrl(m, outputs, {importedAlb})).toBe('https://shared.elb/api')
    expect(workloadUrl(m, outputs, {cloudFrontOnly: true})).toBe('https://d1.cloudfront.net/api')
    expect(workloadUrl(m, outputs, {cloudFrontOnly: false})).toBe('http://lb/api')
    // A service on an imported load balancer is not behind the environment's CloudFront.
    expect(workloadUrl(m, outputs, {importedAlb, cloudFrontOnly: true})).toBe('https://shared.elb/api')
  })
})

describe('images', () => {
  it('reads both forms of image.build', () => {
    expect(locateBuild('/ws', 'web', 'web/Dockerfile')).toEqual({container: 'web', context: '/ws/web', dockerfile: 'Dockerfile'})
    expect(locateBuild('/ws', 'web', {context: '.', dockerfile: 'web/Dockerfile.prod', args: {A: '1'}})).toMatchObject({context: '/ws', dockerfile: 'web/Dockerfile.prod', args: {A: '1'}})
  })
})

describe('locate', () => {
  it('points at the environment override first, then the base field', () => {
    const file = join(dir, 'manifest.yml')
    writeFileSync(file, 'name: web\nsecrets:\n  DB: /a\nenvironments:\n  prod:\n    secrets:\n      DB: /b\n')
    expect(locate(dir, file, [['environments', 'prod', 'secrets', 'DB'], ['secrets', 'DB']])).toEqual({file: 'manifest.yml', line: 7, col: 7, path: 'environments.prod.secrets.DB'})
    expect(locate(dir, file, [['environments', 'test', 'secrets', 'DB'], ['secrets', 'DB']])).toMatchObject({line: 3, col: 3})
  })
})
