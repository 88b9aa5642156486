// Agents reaching the hub through relays (other agents of their site): real hub, real agents, loopback.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import path from 'node:path'
import { api } from '@outpost/testkit'
import { enrollAgent, loadAgentState } from '@outpost/agent'
import { exec, siteHub, startSiteAgent, tempDir } from './support/relay-fixture.ts'

test('an agent reports and runs an exec through one relay; the hub sees its own id', async (t) => {
  const hub = await siteHub(t)
  const relay = await startSiteAgent(t, hub, { relayPort: 0 })
  const leaf = await startSiteAgent(t, hub, { upstreams: [relay.relayUrl!] })
  const done = await exec(hub, leaf.agentId, 'console.log("via relay")')
  assert.equal(done.status, 'completed')
  assert.equal(done.stdout.trim(), 'via relay')
  assert.ok(relay.agent.relay!.server.stats.connections > 0, 'the leaf went through the relay')
  assert.equal(leaf.agent.upstreams?.current, 0)
  const hosts = await api(hub.url, hub.adminToken, '/hosts')
  const ids = (hosts.json.items ?? hosts.json).map((h: { id: string }) => h.id).sort()
  assert.deepEqual(ids, [relay.agentId, leaf.agentId].sort())
})

test('a chain of three relays carries an agent', async (t) => {
  const hub = await siteHub(t)
  const r1 = await startSiteAgent(t, hub, { relayPort: 0 })
  const r2 = await startSiteAgent(t, hub, { relayPort: 0, upstreams: [r1.relayUrl!] })
  const r3 = await startSiteAgent(t, hub, { relayPort: 0, upstreams: [r2.relayUrl!] })
  const leaf = await startSiteAgent(t, hub, { upstreams: [r3.relayUrl!] })
  const done = await exec(hub, leaf.agentId, 'console.log(6 * 7)')
  assert.equal(done.stdout.trim(), '42')
  for (const r of [r1, r2, r3]) assert.ok(r.agent.relay!.server.stats.connections > 0)
  assert.equal(r1.agent.relay!.server.stats.refused, 0)
})

test('an unenrolled agent enrolls through a relay', async (t) => {
  const hub = await siteHub(t)
  const relay = await startSiteAgent(t, hub, { relayPort: 0 })
  const before = relay.agent.relay!.server.stats.connections
  const stateDir = path.join(tempDir(t), 'state')
  const state = await enrollAgent({ token: await hub.enrollToken(), stateDir, upstreams: [relay.relayUrl!] })
  assert.equal(loadAgentState(stateDir).agentId, state.agentId)
  assert.ok(relay.agent.relay!.server.stats.connections > before)
  // The relay lets no used token through (the hub checks it), and an unreachable list fails with its own code.
  const used = await hub.enrollToken()
  await enrollAgent({ token: used, stateDir: path.join(tempDir(t), 's2') })
  await assert.rejects(enrollAgent({ token: used, stateDir: path.join(tempDir(t), 's3'), upstreams: [relay.relayUrl!] }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'AGENT_ERR_NO_UPSTREAM')
    assert.match(err.message, /HTTP 407/)
    return true
  })
  await assert.rejects(enrollAgent({ token: await hub.enrollToken(), stateDir: path.join(tempDir(t), 's4'), upstreams: ['relay://127.0.0.1:1'] }), { code: 'AGENT_ERR_NO_UPSTREAM' })
})

test('bytes through a relay are TLS: a marker in the command and its output never appears in clear', async (t) => {
  const hub = await siteHub(t)
  const relay = await startSiteAgent(t, hub, { relayPort: 0 })
  // A recording TCP forwarder in front of the relay sees exactly what the relay sees.
  const seen: Buffer[] = []
  const tap = net.createServer((c) => {
    const up = net.connect(relay.agent.relay!.address.port, '127.0.0.1')
    c.on('data', (d) => seen.push(d)); up.on('data', (d) => seen.push(d))
    c.pipe(up).pipe(c)
    c.on('error', () => up.destroy()); up.on('error', () => c.destroy())
    c.on('close', () => up.destroy()); up.on('close', () => c.destroy())
  })
  await new Promise<void>((resolve) => tap.listen(0, '127.0.0.1', resolve))
  t.after(() => { tap.close() })
  const leaf = await startSiteAgent(t, hub, { upstreams: [`relay://127.0.0.1:${(tap.address() as net.AddressInfo).port}`] })
  const marker = 'PLAINTEXT-MARKER-' + 'a7f3c9'
  const done = await exec(hub, leaf.agentId, `console.log("${marker}".toLowerCase() + "${marker}")`)
  assert.ok(done.stdout.includes(marker), 'the command ran and its output reached the hub')
  const all = Buffer.concat(seen)
  assert.ok(all.length > 1000, 'traffic went through the tap')
  assert.ok(all.includes('CONNECT '), 'the tap sees the CONNECT line')
  assert.equal(all.includes(marker), false, 'the relay must never see the marker in clear')
  assert.equal(all.includes(marker.toLowerCase()), false)
  assert.equal(all.includes('"type":"report"'), false, 'no report in clear')
})
