import {appendFileSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {EcsStore, type ClusterRecord} from '../../../src/local/cluster/state.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'pier-ecs-store-'))
  dirs.push(d)
  return d
}
const cluster = (name: string): ClusterRecord => ({
  clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${name}`,
  clusterName: name,
  status: 'ACTIVE',
  capacityProviders: [],
  defaultCapacityProviderStrategy: [],
  settings: [],
  tags: [],
  createdAt: 1,
})

describe('EcsStore', () => {
  it('journals committed records and replays them, skipping a torn last line', () => {
    const dir = tmp()
    const a = new EcsStore(dir)
    const c1 = cluster('one')
    a.state.clusters[c1.clusterArn] = c1
    a.commit(c1)
    c1.status = 'INACTIVE'
    a.commit(c1)
    const c2 = cluster('two')
    a.state.clusters[c2.clusterArn] = c2
    a.commit(c2)
    a.remove('clusters', c2.clusterArn)
    a.commit()
    // A crash in the middle of the next append.
    appendFileSync(join(dir, 'ecs', 'state.journal'), '{"k":"clusters","id":"arn:x","v":{"clust')
    const b = new EcsStore(dir)
    expect(Object.keys(b.state.clusters)).toEqual([c1.clusterArn])
    expect(b.state.clusters[c1.clusterArn]!.status).toBe('INACTIVE')
    // Opening folds the journal into the snapshot.
    expect(readFileSync(join(dir, 'ecs', 'state.journal'), 'utf8')).toBe('')
    expect(JSON.parse(readFileSync(join(dir, 'ecs', 'state.json'), 'utf8')).clusters[c1.clusterArn].status).toBe('INACTIVE')
    b.close()
    a.close()
  })

  it('writes a touched record shortly after, without a commit', () => {
    vi.useFakeTimers()
    try {
      const dir = tmp()
      const a = new EcsStore(dir, 5)
      const c1 = cluster('one')
      a.state.clusters[c1.clusterArn] = c1
      a.touch(c1)
      vi.advanceTimersByTime(4)
      expect(readFileSync(join(dir, 'ecs', 'state.journal'), 'utf8')).not.toContain(c1.clusterArn)
      vi.advanceTimersByTime(1)
      expect(readFileSync(join(dir, 'ecs', 'state.journal'), 'utf8')).toContain(c1.clusterArn)
      expect(new EcsStore(dir).state.clusters[c1.clusterArn]).toBeDefined()
      a.close()
    } finally {
      vi.useRealTimers()
    }
  })
})
