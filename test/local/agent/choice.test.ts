import {chmodSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {chooseDriver, driverLabel, parseDriverChoice} from '../../../src/local/agent/choice.js'
import {E2eWorkspace} from '../../e2e/harness.js'
import {tempDir} from './helpers.js'

const dir = tempDir('pier-choice-')
afterAll(() => dir.remove())

/** A stand-in engine CLI: answers `info` with `code`, and records nothing else. */
function fakeEngine(name: string, code: number): string {
  const path = join(dir.path, name)
  writeFileSync(path, `#!/bin/sh\n[ "$1" = info ] && exit ${code}\nexit 1\n`)
  chmodSync(path, 0o755)
  return path
}

describe('driver choice', () => {
  it('reads auto, container and process, and refuses anything else', () => {
    expect(parseDriverChoice(undefined)).toBe('auto')
    expect(parseDriverChoice('')).toBe('auto')
    expect(parseDriverChoice('container')).toBe('container')
    expect(() => parseDriverChoice('docker', '--driver')).toThrow('--driver must be one of auto, container, process, not "docker"')
  })

  it('auto takes an engine that answers, and the process driver when none does', async () => {
    const podman = fakeEngine('podman', 0)
    const chosen = await chooseDriver('auto', join(dir.path, 'conf'), {PIER_CONTAINER_ENGINE: podman})
    expect(chosen).toMatchObject({kind: 'container', why: 'podman answers'})
    expect(driverLabel(chosen)).toBe('container (podman)')
    const broken = fakeEngine('docker', 1)
    expect(await chooseDriver('auto', join(dir.path, 'conf'), {PIER_CONTAINER_ENGINE: broken})).toEqual({kind: 'process', why: 'no container engine answers'})
    expect(await chooseDriver('auto', join(dir.path, 'conf'), {PIER_CONTAINER_ENGINE: 'none'})).toEqual({kind: 'process', why: 'PIER_CONTAINER_ENGINE=none'})
    expect(await chooseDriver('process', join(dir.path, 'conf'), {PIER_CONTAINER_ENGINE: podman})).toEqual({kind: 'process', why: 'chosen'})
  })

  it('container without an engine is an error, never processes', async () => {
    await expect(chooseDriver('container', join(dir.path, 'conf'), {PIER_CONTAINER_ENGINE: 'none'})).rejects.toThrow(/needs a container engine, and PIER_CONTAINER_ENGINE=none answers/)
  })
})

describe('pier local start --driver', {timeout: 60_000}, () => {
  const ws = new E2eWorkspace('pier-driver-flag-')
  afterAll(() => ws.cleanup(), 30_000)

  it('refuses the container driver where no engine answers, with the reason', async () => {
    const r = await ws.pier('local', 'start', '--driver', 'container')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/the container driver needs a container engine/)
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/)
  })

  it('says which driver runs tasks, in start and in status', async () => {
    const r = await ws.ok('local', 'start', '--driver', 'process')
    expect(r.stdout).toMatch(/^Driver:\s+process$/m)
    expect((await ws.ok('local', 'status')).stdout).toMatch(/^Driver:\s+process$/m)
    expect(JSON.parse((await ws.ok('local', 'status', '--json')).stdout)).toMatchObject({driver: 'process'})
  })
})
