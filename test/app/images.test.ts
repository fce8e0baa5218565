import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {detectEngine, prepareImages} from '../../src/app/images.js'
import {AwsError} from '../../src/aws/errors.js'
import {recorder} from '../../src/deploy/events.js'

const dir = mkdtempSync(join(tmpdir(), 'pier-images-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
mkdirSync(join(dir, 'web'))
writeFileSync(join(dir, 'web', 'Dockerfile'), 'FROM scratch\n')
writeFileSync(join(dir, 'web', 'server.js'), 'console.log(1)\n')

// A stand-in for docker: records its arguments, answers `inspect` with a repository digest.
const fakeDocker = join(dir, 'docker')
const log = join(dir, 'docker.log')
writeFileSync(fakeDocker, `#!/bin/sh\necho "$@" >> ${log}\nif [ "$1" = inspect ]; then echo '["123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/web@sha256:abc"]'; fi\nif [ "$1" = login ]; then cat > /dev/null; fi\n`)
chmodSync(fakeDocker, 0o755)

const manifest = {name: 'web', type: 'Load Balanced Web Service' as const, image: {build: 'web/Dockerfile', port: 8080}}

describe('prepareImages', () => {
  it('builds, pushes and pins by digest when an engine is present', async () => {
    const repos: string[] = []
    const registry = {
      describeRepositories: async () => {
        throw Object.assign(new (await import('../../src/aws/errors.js')).AwsError('RepositoryNotFoundException', 'ecr:DescribeRepositories', 'none'))
      },
      createRepository: async ({repositoryName}: {repositoryName: string}) => (repos.push(repositoryName), {repository: {repositoryUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${repositoryName}`}}),
      getAuthorizationToken: async () => ({authorizationData: [{authorizationToken: Buffer.from('AWS:secret').toString('base64'), proxyEndpoint: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com'}]}),
    }
    const {emit} = recorder()
    const out = await prepareImages({registry: registry as never, emit, engine: {command: fakeDocker}}, {app: 'demo', name: 'web', root: dir, manifest, tag: 'v1'})
    expect(repos).toEqual(['demo/web'])
    expect(out.images).toEqual({web: '123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/web@sha256:abc'})
    expect(out.dockerLabels).toEqual({})
    const calls = readFileSync(log, 'utf8').trim().split('\n')
    expect(calls[0]).toBe('info --format {{json .}}')
    expect(calls[1]).toBe('login --username AWS --password-stdin https://123456789012.dkr.ecr.us-east-1.amazonaws.com')
    expect(calls[2]).toBe(`build -t 123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/web:v1 -f ${join(dir, 'web', 'Dockerfile')} ${join(dir, 'web')}`)
    expect(calls[3]).toBe('push 123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/web:v1')
  })

  it("pushes a sidecar's image to the workload's one repository, tagged after the sidecar, as Copilot does", async () => {
    const repos = new Map<string, string>()
    const uri = (name: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}`
    const registry = {
      describeRepositories: async ({repositoryNames}: {repositoryNames: string[]}) => {
        const found = repositoryNames.filter((n) => repos.has(n))
        if (!found.length) throw new AwsError('RepositoryNotFoundException', 'ecr:DescribeRepositories', 'none')
        return {repositories: found.map((n) => ({repositoryUri: repos.get(n)}))}
      },
      createRepository: async ({repositoryName}: {repositoryName: string}) => (repos.set(repositoryName, uri(repositoryName)), {repository: {repositoryUri: uri(repositoryName)}}),
      getAuthorizationToken: async () => ({authorizationData: []}),
    }
    writeFileSync(log, '')
    const withSidecar = {...manifest, sidecars: {proxy: {image: {build: 'web/Dockerfile'}}}} as typeof manifest
    const out = await prepareImages({registry: registry as never, emit: () => {}, engine: {command: fakeDocker}}, {app: 'demo', name: 'web', root: dir, manifest: withSidecar, tag: 'v1'})
    expect([...repos.keys()]).toEqual(['demo/web'])
    const pushes = readFileSync(log, 'utf8').trim().split('\n').filter((l) => l.startsWith('push '))
    expect(pushes).toEqual([`push ${uri('demo/web')}:v1`, `push ${uri('demo/web')}:proxy-v1`])
    expect(Object.keys(out.images).sort()).toEqual(['proxy', 'web'])
  })

  it('passes the build context as labels when the endpoint has no registry, with a digest of the source', async () => {
    const {emit, events} = recorder()
    const noRegistry = {describeRepositories: async () => Promise.reject(new AwsError('UnknownOperationException', 'ecr:DescribeRepositories', 'Unknown target'))} as never
    const first = await prepareImages({registry: noRegistry, emit, engine: {command: fakeDocker}}, {app: 'demo', name: 'web', root: dir, manifest, tag: 'v1'})
    expect(first.dockerLabels.web).toMatchObject({'pier.build.context': join(dir, 'web'), 'pier.build.dockerfile': 'Dockerfile'})
    expect(events[0]?.data).toMatchObject({status: 'skipped'})
    writeFileSync(join(dir, 'web', 'server.js'), 'console.log(22)\n')
    const second = await prepareImages({registry: noRegistry, emit}, {app: 'demo', name: 'web', root: dir, manifest, tag: 'v1'})
    expect(second.dockerLabels.web!['pier.source.digest']).not.toBe(first.dockerLabels.web!['pier.source.digest'])
  })

  it('carries a multi-stage build target in the labels, as package does', async () => {
    const noRegistry = {describeRepositories: async () => Promise.reject(new AwsError('UnknownOperationException', 'ecr:DescribeRepositories', 'Unknown target'))} as never
    const staged = {...manifest, image: {build: {context: 'web', dockerfile: 'web/Dockerfile', target: 'runtime'}, port: 8080}}
    const out = await prepareImages({registry: noRegistry, emit: () => {}}, {app: 'demo', name: 'web', root: dir, manifest: staged, tag: 'v1'})
    expect(out.dockerLabels.web).toMatchObject({'pier.build.context': join(dir, 'web'), 'pier.build.dockerfile': 'Dockerfile', 'pier.build.target': 'runtime'})
    const plain = await prepareImages({registry: noRegistry, emit: () => {}}, {app: 'demo', name: 'web', root: dir, manifest, tag: 'v1'})
    expect(plain.dockerLabels.web).not.toHaveProperty('pier.build.target')
  })

  it('refuses to deploy an image it cannot build when the endpoint has a registry and no engine answers', async () => {
    const registry = {describeRepositories: async () => ({repositories: [{repositoryUri: 'r'}]})} as never
    const error = await prepareImages({registry, emit: () => {}, engine: {command: join(dir, 'no-such-docker')}}, {app: 'demo', name: 'web', root: dir, manifest}).catch((e) => e)
    expect((error as Error).message).toMatch(/web must be built, and no container engine answers/)
  })

  it('finds the engine from PIER_CONTAINER_ENGINE, or on PATH, and none when told so', () => {
    expect(detectEngine({PIER_CONTAINER_ENGINE: 'none', PATH: dir})).toBeUndefined()
    expect(detectEngine({PATH: dir})).toEqual({command: fakeDocker})
    expect(detectEngine({PATH: join(dir, 'web')})).toBeUndefined()
  })
})
