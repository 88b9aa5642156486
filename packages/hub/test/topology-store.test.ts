// The topology store's contract on SQLite and on PostgreSQL, and what is derived from it (paths,
// the grouping of silent hosts behind failed relays), computed from what a real store returns.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { RelayReport } from '@outpost/protocol'
import { backends, storeWithAgents } from './store-fixtures.ts'
import { HostPaths, loadPaths, MAX_PATH_HOPS, pathOf } from '../src/topology/host-paths.ts'
import { groupByFailedRelay } from '../src/alerts/relay-unreachable.ts'

const relay = (downstream: string[], over: Partial<RelayReport> = {}): RelayReport => ({
  listen: '10.0.0.5:7443', downstream, active: 2, connections: 5, refused: 1, bytesUp: 100, bytesDown: 200, cpuPercent: 0.5, ...over
})
const direct = { kind: 'direct', label: 'https://hub.example:8443', index: 1 } as const
const viaRelay = { kind: 'relay', label: 'relay://10.0.0.5:7443', index: 0 } as const

for (const b of backends) {
  describe(`Topology store contract on ${b.kind}`, () => {
    test('a relay report is stored and makes it the first hop of the enrolled agents it lists', async (t) => {
      const s = await storeWithAgents(t, b, ['r1', 'a1', 'a2'])
      assert.deepEqual(await s.topology.listRelays(), [])
      assert.equal(await s.topology.getRelay('r1'), undefined)
      await s.topology.recordRelay('r1', relay(['a1', 'a2', 'ghost', 'r1', 'a1']), 1000)
      assert.deepEqual(await s.topology.getRelay('r1'), { relayId: 'r1', report: relay(['a1', 'a2', 'ghost', 'r1', 'a1']), reportedAt: 1000 })
      assert.deepEqual([...await s.topology.firstHops()].sort(), [['a1', 'r1'], ['a2', 'r1']], 'unknown ids and the relay itself are ignored')
      await s.topology.recordRelay('r1', relay(['a1'], { bytesUp: 999 }), 2000)
      const again = await s.topology.listRelays()
      assert.deepEqual(again.map((r) => [r.relayId, r.report.bytesUp, r.reportedAt]), [['r1', 999, 2000]], 'the latest report replaces the last')
    })

    test('first hops are kept when a relay stops listing a host, moved by another relay, dropped by a direct link', async (t) => {
      const s = await storeWithAgents(t, b, ['r1', 'r2', 'a1', 'a2'])
      await s.topology.recordRelay('r1', relay(['a1', 'a2']), 1000)
      await s.topology.recordRelay('r1', relay([]), 2000)
      assert.deepEqual([...await s.topology.firstHops()].sort(), [['a1', 'r1'], ['a2', 'r1']], 'kept: that is how the hub knows who was behind a dead relay')
      await s.topology.recordRelay('r2', relay(['a2']), 3000)
      assert.deepEqual([...await s.topology.firstHops()].sort(), [['a1', 'r1'], ['a2', 'r2']])
      await s.topology.recordLink('a1', direct, 4000)
      assert.deepEqual([...await s.topology.firstHops()], [['a2', 'r2']])
      assert.deepEqual(await s.topology.getLink('a1'), { agentId: 'a1', link: direct, reportedAt: 4000 })
      assert.equal(await s.topology.getLink('a2'), undefined)
      await s.topology.recordLink('a2', viaRelay, 5000)
      assert.deepEqual([...await s.topology.firstHops()], [['a2', 'r2']], 'a relay link leaves the first hop to the relays')
      assert.deepEqual((await s.topology.getLink('a2'))?.link, viaRelay)
    })

    test('a relay cannot pull in a host that says it reaches the hub without one', async (t) => {
      const s = await storeWithAgents(t, b, ['r1', 'a1', 'a2'])
      await s.topology.recordLink('a1', { kind: 'proxy', label: 'https://hub.example:8443', index: 0 }, 1000)
      await s.topology.recordRelay('r1', relay(['a1', 'a2']), 2000)
      assert.deepEqual([...await s.topology.firstHops()], [['a2', 'r1']])
      await s.topology.recordLink('a1', viaRelay, 3000)
      await s.topology.recordRelay('r1', relay(['a1', 'a2']), 4000)
      assert.deepEqual([...await s.topology.firstHops()].sort(), [['a1', 'r1'], ['a2', 'r1']], 'once it says it uses a relay, the relay\'s word counts')
    })

    test('a relay listing thousands of agents', async (t) => {
      const ids = Array.from({ length: 600 }, (_, i) => `h${i}`)
      const s = await storeWithAgents(t, b, ['r1', ...ids])
      await s.topology.recordRelay('r1', relay(ids), 1000)
      await s.topology.recordRelay('r1', relay(ids), 2000)
      const hops = await s.topology.firstHops()
      assert.equal(hops.size, 600)
      assert.ok([...hops.values()].every((r) => r === 'r1'))
    })

    test('paths follow first hops to the hub, with names, from one read', async (t) => {
      const s = await storeWithAgents(t, b, ['r1', 'r2', 'a1', 'a2'])
      await s.topology.recordRelay('r1', relay(['r2']), 1000)
      await s.topology.recordRelay('r2', relay(['a1']), 1000)
      const a1 = (await s.listHostSummaries(['a1']))
      const paths = await loadPaths(s, a1)
      assert.deepEqual(paths.via('a1'), [{ id: 'r2', name: 'host-r2' }, { id: 'r1', name: 'host-r1' }], 'names of relays not in the list are read')
      assert.deepEqual(paths.via('a2'), [])
      assert.deepEqual(paths.via('r1'), [])
    })

    test('hosts silent behind a failed relay are grouped under the failed relay nearest the hub', async (t) => {
      // hub ← r1 ← r2 ← {a1, a2}; hub ← r1 ← a3; hub ← r3 ← a4; a5 direct.
      const s = await storeWithAgents(t, b, ['r1', 'r2', 'r3', 'a1', 'a2', 'a3', 'a4', 'a5'])
      await s.topology.recordRelay('r1', relay(['r2', 'a3']), 1000)
      await s.topology.recordRelay('r2', relay(['a1', 'a2']), 1000)
      await s.topology.recordRelay('r3', relay(['a4']), 1000)
      for (const id of ['r1', 'r2', 'r3', 'a1', 'a2', 'a3', 'a4', 'a5']) await s.touchAgent(id, 10_000)
      const interval = 1000
      const groupsAt = async (now: number) => {
        const silent = await s.alerts.silentHosts(now - interval)
        const failed = new Set(silent.map((h) => h.id))
        const groups = groupByFailedRelay(silent, await s.topology.firstHops(), failed)
        return Object.fromEntries([...groups].map(([relayId, hosts]) => [relayId, hosts.map((h) => h.id).sort()]))
      }
      // r2 dies: a1 and a2 fall silent with it.
      for (const id of ['r1', 'r3', 'a3', 'a4', 'a5']) await s.touchAgent(id, 14_000)
      assert.deepEqual(await groupsAt(14_500), { r2: ['a1', 'a2'] })
      // r1 dies as well: everything behind it is one outage of r1, r2 included.
      await s.touchAgent('r3', 20_000)
      await s.touchAgent('a4', 20_000)
      await s.touchAgent('a5', 20_000)
      assert.deepEqual(await groupsAt(20_500), { r1: ['a1', 'a2', 'a3', 'r2'] })
      // a5 (direct) and a4 (behind a relay that still reports) falling silent are simply offline.
      await s.touchAgent('r3', 29_500)
      assert.deepEqual(await groupsAt(30_000), { r1: ['a1', 'a2', 'a3', 'r2'] })
    })
  })
}

describe('paths', () => {
  test('stop at a ring and at the hop limit', () => {
    const ring = new Map([['a', 'r1'], ['r1', 'r2'], ['r2', 'r1']])
    assert.deepEqual(pathOf('a', ring), ['r1', 'r2'])
    assert.deepEqual(pathOf('r1', ring), ['r2'], 'a relay never appears on its own path')
    const long = new Map(Array.from({ length: 40 }, (_, i) => [`n${i}`, `n${i + 1}`] as const))
    assert.equal(pathOf('n0', long).length, MAX_PATH_HOPS)
    assert.deepEqual(HostPaths.none.via('x'), [])
  })
})
