// The package use case: offline inputs, file names and formats, and the errors a user can meet.
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {packageEnvironment, packageWorkload, type WorkspaceManifests} from '../../src/app/package.js'
import {buildLabels, sourceBuilds} from '../../src/app/source-builds.js'
import {UserError} from '../../src/errors.js'
import type {EcsWorkloadManifest, WorkloadManifest} from '../../src/manifest/types.js'

const web: EcsWorkloadManifest = {
  name: 'web',
  type: 'Load Balanced Web Service',
  image: {build: 'web/Dockerfile', port: 80},
  http: {path: '/'},
  sidecars: {proxy: {image: {build: {context: 'proxy'}}, port: 8080}, log: {image: 'fluent/fluent-bit'}},
}
const report: EcsWorkloadManifest = {name: 'report', type: 'Scheduled Job', image: {location: 'x/report'}, on: {schedule: '@daily'}}

function source(workloads: WorkloadManifest[]): WorkspaceManifests {
  return {
    root: '/ws',
    application: 'shop',
    environments: ['test'],
    workloads: workloads.map((w) => ({name: w.name, type: w.type})),
    environment: () => ({name: 'test', type: 'Environment', http: {public: {certificates: ['arn:aws:acm:us-east-1:1:certificate/c']}}}),
    workload: (name) => workloads.find((w) => w.name === name)!,
  }
}

describe('sourceBuilds', () => {
  it('follows Copilot: a Dockerfile path builds in its directory; a context alone uses its Dockerfile', () => {
    const builds = sourceBuilds('/ws', 'web', web)
    expect(builds).toEqual([
      {container: 'web', context: '/ws/web', dockerfile: 'Dockerfile'},
      {container: 'proxy', context: '/ws/proxy', dockerfile: 'Dockerfile'},
    ])
    expect(buildLabels(builds).web).toEqual({'pier.build.context': '/ws/web', 'pier.build.dockerfile': 'Dockerfile'})
    const withArgs = sourceBuilds('/ws', 'a', {...report, image: {build: {context: '.', dockerfile: 'docker/App.Dockerfile', args: {V: '1'}, target: 'prod'}}})
    expect(withArgs).toEqual([{container: 'a', context: '/ws', dockerfile: 'docker/App.Dockerfile', args: {V: '1'}, target: 'prod'}])
    // Build arguments travel too: a container engine on the local control plane builds with them.
    expect(buildLabels(withArgs).a).toEqual({'pier.build.context': '/ws', 'pier.build.dockerfile': 'docker/App.Dockerfile', 'pier.build.target': 'prod', 'pier.build.args': '{"V":"1"}'})
  })
})

describe('packageWorkload', () => {
  it('writes Copilot-named files: template, parameters with tags, task definition', () => {
    const r = packageWorkload(source([web]), {name: 'web', env: 'test', kind: 'service', tag: 'v2'})
    expect(r.stackName).toBe('shop-test-web')
    expect(r.files.map((f) => f.name)).toEqual(['web-test.stack.yml', 'web-test.params.json', 'web-test.taskdef.json'])
    const template = parse(r.files[0]!.content)
    expect(template.Resources.Service.Type).toBe('AWS::ECS::Service')
    expect(r.files[0]!.content).not.toMatch(/[&*]a\d/) // no YAML anchors
    const params = JSON.parse(r.files[1]!.content)
    expect(params.Parameters).toMatchObject({ContainerImage: 'shop/web:v2', ProxyContainerImage: 'shop/web-proxy:v2'})
    expect(params.Tags).toEqual({'copilot-application': 'shop', 'copilot-environment': 'test', 'copilot-service': 'web'})
    // The environment has HTTPS, so the rule goes on the HTTPS listener.
    expect(template.Resources.HTTPListenerRule.Properties.ListenerArn).toEqual({'Fn::ImportValue': 'shop-test-HTTPSListenerArn'})
    const taskdef = JSON.parse(r.files[2]!.content)
    expect(taskdef.containerDefinitions.map((c: any) => c.name)).toEqual(['web', 'log', 'proxy'])
    expect(taskdef.containerDefinitions[0].dockerLabels['pier.build.context']).toBe('/ws/web')
  })

  it('tells a service from a job', () => {
    const src = source([web, report])
    expect(() => packageWorkload(src, {name: 'report', env: 'test', kind: 'service'})).toThrow('report is a job, not a service')
    expect(() => packageWorkload(src, {name: 'web', env: 'test', kind: 'job'})).toThrow('web is a service, not a job')
    expect(packageWorkload(src, {name: 'report', env: 'test', kind: 'job'}).files[0]!.name).toBe('report-test.stack.yml')
  })

  it('turns a manifest the renderer cannot handle into a user error', () => {
    const bad: EcsWorkloadManifest = {...web, name: 'bad', http: {path: '/', alb: 'arn:aws:elasticloadbalancing:x'}}
    const error = (() => {
      try {
        packageWorkload(source([bad]), {name: 'bad', env: 'test', kind: 'service'})
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).toMatch(/^cannot render bad for environment test: http\.alb/)
  })

  it('refuses workload types Pier does not deploy', () => {
    const site = {name: 'site', type: 'Static Site'} as WorkloadManifest
    expect(() => packageWorkload(source([site]), {name: 'site', env: 'test', kind: 'service'})).toThrow('site is a Static Site: Pier packages ECS workloads only')
  })
})

describe('packageEnvironment', () => {
  it('switches on what the workspace needs, and names files like Copilot', () => {
    const r = packageEnvironment(source([web, report]), 'test')
    expect(r.files.map((f) => f.name)).toEqual(['test.env.yml', 'test.env.params.json'])
    expect(JSON.parse(r.files[1]!.content).Parameters).toMatchObject({ALBWorkloads: 'web', InternalALBWorkloads: '', NATWorkloads: ''})
  })

  it('leaves out workloads whose manifests have errors, as deploy does', () => {
    const src = source([web, report])
    const broken: WorkspaceManifests = {
      ...src,
      workload: (name, env) => {
        if (name === 'web') throw new UserError('the manifest of web has an error')
        return src.workload(name, env)
      },
    }
    expect(JSON.parse(packageEnvironment(broken, 'test').files[1]!.content).Parameters.ALBWorkloads).toBe('')
  })
})
