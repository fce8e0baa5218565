import {describe, expect, it} from 'vitest'

import {parseDockerfile, readInstructions, splitWords, substitute} from '../../../src/local/agent/dockerfile.js'
import {LaunchError, planLaunch, type LaunchFs} from '../../../src/local/agent/launch.js'
import type {ContainerSpec} from '../../../src/local/agent/types.js'

describe('readInstructions', () => {
  it('joins continuation lines, drops comments, honours the escape directive', () => {
    expect(readInstructions('FROM a\n# comment\nRUN a \\\n  # inner comment\n  b\nCMD x')).toEqual([
      {keyword: 'FROM', args: 'a'},
      {keyword: 'RUN', args: 'a    b'},
      {keyword: 'CMD', args: 'x'},
    ])
    expect(readInstructions('# escape=`\nFROM a\nWORKDIR c:\\app `\n  \\sub')).toEqual([
      {keyword: 'FROM', args: 'a'},
      {keyword: 'WORKDIR', args: 'c:\\app    \\sub'},
    ])
  })
})

describe('substitute and splitWords', () => {
  it.each([
    ['$A/x', {A: '1'}, '1/x'],
    ['${A}x', {A: '1'}, '1x'],
    ['${B:-dflt}', {}, 'dflt'],
    ['${A:+alt}', {A: '1'}, 'alt'],
    ['${B:+alt}', {}, ''],
    ['\\$A', {A: '1'}, '$A'],
  ])('%s', (input, vars, want) => {
    expect(substitute(input, vars)).toBe(want)
  })
  it('groups quoted words', () => {
    expect(splitWords(`A="b c" D='e f' G=h\\ i`)).toEqual(['A=b c', "D=e f", 'G=h i'])
  })
})

const cases: {name: string; file: string; want: Record<string, unknown>; opts?: Parameters<typeof parseDockerfile>[1]}[] = [
  {
    name: 'exec form CMD and absolute WORKDIR',
    file: 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]',
    want: {workdir: '/app', cmd: ['node', 'server.js']},
  },
  {
    name: 'shell form ENTRYPOINT runs through /bin/sh -c',
    file: 'FROM x\nENTRYPOINT exec node server.js --port $PORT',
    want: {entrypoint: ['/bin/sh', '-c', 'exec node server.js --port $PORT']},
  },
  {
    name: 'relative WORKDIR builds on the previous one',
    file: 'FROM x\nWORKDIR /srv\nWORKDIR app\nWORKDIR ../web',
    want: {workdir: '/srv/web'},
  },
  {
    name: 'ENV both forms, with substitution and quotes',
    file: 'FROM x\nENV A=1 B="two words"\nENV C $A-$B\nENV D=${A}0',
    want: {env: {A: '1', B: 'two words', C: '1-two words', D: '10'}},
  },
  {
    name: 'ARG defaults feed WORKDIR and ENV; global ARG feeds FROM',
    file: 'ARG BASE=node\nARG DIR=/srv\nFROM $BASE AS run\nARG DIR\nARG MODE=prod\nWORKDIR $DIR/app\nENV NODE_ENV=$MODE',
    want: {workdir: '/srv/app', env: {NODE_ENV: 'prod'}},
  },
  {
    name: 'build args override ARG defaults',
    file: 'FROM x\nARG MODE=prod\nENV NODE_ENV=$MODE',
    opts: {buildArgs: {MODE: 'dev'}},
    want: {env: {NODE_ENV: 'dev'}},
  },
  {
    name: 'base env lets ENV extend PATH',
    file: 'FROM x\nENV PATH=/app/bin:$PATH',
    opts: {baseEnv: {PATH: '/usr/bin'}},
    want: {env: {PATH: '/app/bin:/usr/bin'}},
  },
  {
    name: 'ENTRYPOINT clears a CMD inherited from an earlier stage',
    file: 'FROM x AS base\nCMD ["a"]\nFROM base\nENTRYPOINT ["b"]',
    want: {entrypoint: ['b'], cmd: undefined},
  },
  {
    name: 'CMD in the same stage survives a later ENTRYPOINT',
    file: 'FROM x\nCMD ["a"]\nENTRYPOINT ["b"]',
    want: {entrypoint: ['b'], cmd: ['a']},
  },
  {
    name: 'the last stage wins; COPY --from is not from the context',
    file: 'FROM x AS build\nWORKDIR /build\nCOPY . .\nFROM y\nWORKDIR /app\nCOPY --from=build /build/dist ./dist\nCMD ["run"]',
    want: {workdir: '/app', copies: [], cmd: ['run']},
  },
  {
    name: 'COPY destinations resolve against WORKDIR',
    file: 'FROM x\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY src ./src\nADD --chown=1:1 ["conf", "/etc/app/"]',
    want: {
      copies: [
        {imagePath: '/app', source: 'package.json', intoDirectory: true},
        {imagePath: '/app', source: 'package-lock.json', intoDirectory: true},
        {imagePath: '/app/src', source: 'src', intoDirectory: false},
        {imagePath: '/etc/app', source: 'conf', intoDirectory: true},
      ],
    },
  },
  {
    name: 'SHELL changes the shell form',
    file: 'FROM x\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nCMD echo a | cat',
    want: {cmd: ['/bin/bash', '-o', 'pipefail', '-c', 'echo a | cat']},
  },
  {
    name: 'heredoc bodies are not instructions',
    file: 'FROM x\nRUN <<EOF\nCMD ["wrong"]\nEOF\nCOPY <<-CONF /etc/app.conf\n  WORKDIR /wrong\n  CONF\nCMD ["right"]',
    want: {cmd: ['right'], workdir: '/', copies: []},
  },
  {
    name: 'EXPOSE and USER',
    file: 'FROM x\nEXPOSE 8080/tcp 9090\nUSER node',
    want: {exposedPorts: [8080, 9090], user: 'node'},
  },
]

describe('parseDockerfile', () => {
  it.each(cases)('$name', ({file, want, opts}) => {
    expect(parseDockerfile(file, opts).final).toMatchObject(want)
  })
  it('selects a target stage', () => {
    expect(parseDockerfile('FROM a AS dev\nCMD ["dev"]\nFROM b\nCMD ["prod"]', {target: 'dev'}).final.cmd).toEqual(['dev'])
    expect(() => parseDockerfile('FROM a', {target: 'nope'})).toThrow(/target stage "nope" not found/)
  })
})

function fakeFs(files: Record<string, string>, dirs: string[]): LaunchFs {
  return {
    readFile: (p) => {
      if (files[p] === undefined) throw new Error('ENOENT')
      return files[p]!
    },
    isDirectory: (p) => dirs.includes(p),
    exists: (p) => files[p] !== undefined || dirs.includes(p) || p === '/bin/sh' || p === '/usr/bin/node',
  }
}

const container = (over: Partial<ContainerSpec>): ContainerSpec => ({
  name: 'web',
  image: 'web',
  essential: true,
  environment: {},
  portMappings: [],
  dockerLabels: {'pier.build.context': '/src/web'},
  ...over,
})

describe('planLaunch', () => {
  const dirs = ['/src/web', '/src/web/src', '/src/web/public', '/tmp/scratch']
  const plan = (file: string, over: Partial<ContainerSpec> = {}) =>
    planLaunch(container(over), {scratchDir: '/tmp/scratch', hostPath: '/usr/bin:/bin', fs: fakeFs({'/src/web/Dockerfile': file}, dirs)})

  it('maps WORKDIR to the context root and rewrites image paths in the command', () => {
    const p = plan('FROM node\nWORKDIR /app\nCOPY . .\nENV CONF=/app/conf.yml\nCMD ["/usr/local/bin/node", "/app/server.js"]')
    expect(p.cwd).toBe('/src/web')
    expect(p.argv).toEqual(['/usr/bin/node', '/src/web/server.js'])
    expect(p.imageEnv.CONF).toBe('/src/web/conf.yml')
  })

  it('infers the context root from COPYs that keep relative paths', () => {
    const p = plan('FROM node\nWORKDIR /app\nCOPY package.json ./\nCOPY src ./src\nCMD node src/index.js')
    expect(p.cwd).toBe('/src/web')
    expect(p.argv).toEqual(['/bin/sh', '-c', 'node src/index.js'])
  })

  it('maps a WORKDIR inside a copied directory', () => {
    expect(plan('FROM x\nCOPY public /var/www\nWORKDIR /var/www\nCMD ["ls"]').cwd).toBe('/src/web/public')
  })

  it('falls back to the context root for an unmapped WORKDIR', () => {
    expect(plan('FROM x\nWORKDIR /opt/none\nCMD ["ls"]').cwd).toBe('/src/web')
  })

  it('lets the task definition override like docker run', () => {
    const file = 'FROM x\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["node"]\nCMD ["server.js"]'
    expect(plan(file, {command: ['worker.js']}).argv).toEqual(['node', 'worker.js'])
    expect(plan(file, {entryPoint: ['sh', '-c']}).argv).toEqual(['sh', '-c'])
    expect(plan(file, {entryPoint: ['sh', '-c'], command: ['echo hi']}).argv).toEqual(['sh', '-c', 'echo hi'])
    expect(plan(file, {workingDirectory: 'src'}).cwd).toBe('/src/web/src')
  })

  it('refuses a source image with no command', () => {
    expect(() => plan('FROM node\nWORKDIR /app')).toThrow(/CannotPullContainerError: container web has no command/)
  })

  it('refuses an image location without a command, saying what to do', () => {
    const c = container({image: 'public.ecr.aws/nginx/nginx:latest', dockerLabels: {}})
    expect(() => planLaunch(c, {scratchDir: '/tmp/scratch', hostPath: '/bin'})).toThrow(LaunchError)
    expect(() => planLaunch(c, {scratchDir: '/tmp/scratch', hostPath: '/bin'})).toThrow(
      /^CannotPullContainerError: the process driver cannot run image public.ecr.aws\/nginx\/nginx:latest .*podman/,
    )
  })

  it('runs an image location with a command in the scratch directory', () => {
    const c = container({image: 'busybox', dockerLabels: {}, command: ['sh', '-c', 'echo hi']})
    expect(planLaunch(c, {scratchDir: '/tmp/scratch', hostPath: '/bin', fs: fakeFs({}, dirs)})).toEqual({
      argv: ['sh', '-c', 'echo hi'],
      cwd: '/tmp/scratch',
      imageEnv: {},
    })
  })
})
