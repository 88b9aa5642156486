// Failover down the upstream list and back up when the preferred relay returns; rings end without loops.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { api } from '@outpost/testkit'
import { exec, siteHub, startSiteAgent, until } from './support/relay-fixture.ts'

test('relay 1 down: the agent goes on through relay 2, and returns to relay 1 when it is back', async (t) => {
  const hub = await siteHub(t)
  const r1 = await startSiteAgent(t, hub, { relayPort: 0 })
  const r2 = await startSiteAgent(t, hub, { relayPort: 0 })
  const leaf = await startSiteAgent(t, hub, { upstreams: [r1.relayUrl!, r2.relayUrl!] })
  assert.equal((await exec(hub, leaf.agentId, 'console.log("one")')).stdout.trim(), 'one')
  assert.equal(leaf.agent.upstreams!.current, 0)
  assert.equal(r2.agent.relay!.server.stats.connections, 0)

  await r1.agent.stop()
  const viaTwo = await exec(hub, leaf.agentId, 'console.log("two")')
  assert.equal(viaTwo.stdout.trim(), 'two')
  assert.equal(viaTwo.hostId, leaf.agentId, 'the hub sees the same agent whatever the path')
  assert.equal(leaf.agent.upstreams!.current, 1)
  assert.ok(r2.agent.relay!.server.stats.connections > 0)

  // Relay 1 comes back on the same address (the same agent, restarted).
  const back = await startSiteAgent(t, hub, { relayPort: Number(new URL(r1.relayUrl!.replace('relay:', 'http:')).port), stateDir: r1.stateDir })
  await until(() => back.agent.relay!.server.stats.active > 0 && leaf.agent.upstreams!.current === 0, 'the agent to return to relay 1')
  const viaOne = await exec(hub, leaf.agentId, 'console.log("three")')
  assert.equal(viaOne.stdout.trim(), 'three')
  assert.equal(viaOne.hostId, leaf.agentId)
  const hosts = await api(hub.url, hub.adminToken, '/hosts')
  assert.equal((hosts.json.items ?? hosts.json).length, 3, 'no duplicate host whatever the path')
})

test('a ring of relays with a backup direct path cannot loop', async (t) => {
  const hub = await siteHub(t)
  // A and B relay for each other first, then go direct: a CONNECT that went A → B must not go back to A.
  const a = await startSiteAgent(t, hub, { relayPort: 0 })
  const b = await startSiteAgent(t, hub, { relayPort: 0, upstreams: [a.relayUrl!, hub.url] })
  await a.agent.stop()
  const a2 = await startSiteAgent(t, hub, { relayPort: Number(a.relayUrl!.split(':').at(-1)), stateDir: a.stateDir, upstreams: [b.relayUrl!, hub.url] })
  const leaf = await startSiteAgent(t, hub, { upstreams: [a2.relayUrl!] })
  const done = await exec(hub, leaf.agentId, 'console.log("ring")')
  assert.equal(done.stdout.trim(), 'ring')
  // leaf → A → B → (A refuses: loop, 508) → B goes direct.
  assert.ok(a2.agent.relay!.server.stats.refused > 0, 'the loop was refused')
  assert.ok(b.agent.relay!.server.stats.connections > 0)
})
