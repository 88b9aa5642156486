// What the hub learns of the relay topology from real agents on loopback: every host's path, each
// relay's health and load, one alert for the hosts cut off when a relay dies, refusals in the audit.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { api, type TestHub } from '@outpost/testkit'
import type { Alert, HostDetail, HostSummary, RelaySummary } from '@outpost/protocol'
import { siteHub, startSiteAgent, until } from './support/relay-fixture.ts'

/** Shortest interval the hub and the agents accept: alerts fire after three of them. */
const INTERVAL = 1000

const get = async <T>(hub: TestHub, p: string): Promise<T> => {
  const res = await api(hub.url, hub.adminToken, p)
  assert.equal(res.status, 200, res.text)
  return res.json as T
}
const via = (hosts: HostSummary[], id: string): string[] => hosts.find((h) => h.id === id)?.via.map((v) => v.name) ?? ['missing']

test('hosts behind a relay show their path and the relay its load; when it dies, one alert names the hosts cut off', async (t) => {
  const hub = await siteHub(t, { agentIntervalMs: INTERVAL, adminEmail: null })
  const gw = await startSiteAgent(t, hub, { relayPort: 0, intervalMs: INTERVAL, hostname: 'gw-1' })
  const app1 = await startSiteAgent(t, hub, { upstreams: [gw.relayUrl!], intervalMs: INTERVAL, hostname: 'app-1' })
  const app2 = await startSiteAgent(t, hub, { upstreams: [gw.relayUrl!], intervalMs: INTERVAL, hostname: 'app-2' })
  const db = await startSiteAgent(t, hub, { intervalMs: INTERVAL, hostname: 'db-1' })

  let hosts: HostSummary[] = []
  await until(async () => {
    hosts = await get<HostSummary[]>(hub, '/hosts')
    return via(hosts, app1.agentId)[0] === 'gw-1' && via(hosts, app2.agentId)[0] === 'gw-1'
  }, 'both hosts to show their path through gw-1')
  assert.deepEqual(hosts.find((h) => h.id === app1.agentId)?.via, [{ id: gw.agentId, name: 'gw-1' }])
  assert.deepEqual([via(hosts, gw.agentId), via(hosts, db.agentId)], [[], []], 'the relay and db-1 reach the hub directly')
  const detail = await get<HostDetail>(hub, `/hosts/${app1.agentId}`)
  assert.deepEqual(detail.link, { kind: 'relay', label: gw.relayUrl, index: 0 })

  let relays: RelaySummary[] = []
  await until(async () => {
    relays = await get<RelaySummary[]>(hub, '/relays')
    const r = relays[0]
    return r !== undefined && r.downstream === 2 && r.bytesUp > 0 && r.bytesDown > 0
  }, 'the relay to report both agents and its load')
  const [r] = relays
  assert.equal(relays.length, 1)
  assert.deepEqual([r?.id, r?.name, r?.health, r?.status, r?.behind, r?.unreachable, r?.via], [gw.agentId, 'gw-1', 'ok', 'online', 2, 0, []])
  assert.equal(r?.listen, `127.0.0.1:${gw.agent.relay!.address.port}`)
  assert.ok((r?.connections ?? 0) >= 2 && (r?.active ?? 0) >= 2, JSON.stringify(r))

  // The relay dies; app-1 and app-2 have no other way to the hub.
  await gw.agent.stop()
  const open = async (): Promise<Alert[]> => get<Alert[]>(hub, '/alerts?state=open')
  await until(async () => {
    const alerts = await open()
    hosts = await get<HostSummary[]>(hub, '/hosts')
    const offline = (id: string): boolean => hosts.find((h) => h.id === id)?.status === 'offline'
    return alerts.some((a) => a.ruleId === 'default-relay-unreachable') && offline(app1.agentId) && offline(app2.agentId)
  }, 'the relay alert, and both hosts offline', 60_000)
  // db-1 stops only now: once its own offline alert is open, the sweep that opened it also saw
  // app-1 and app-2 past the same three intervals, and would have opened theirs.
  await db.agent.stop()
  await until(async () => (await open()).some((a) => a.ruleId === 'default-host-offline' && a.hostId === db.agentId), 'db-1 offline alert', 60_000)

  const alerts = await open()
  const relayAlerts = alerts.filter((a) => a.ruleId === 'default-relay-unreachable')
  assert.equal(relayAlerts.length, 1)
  assert.equal(relayAlerts[0]?.hostId, gw.agentId)
  assert.equal(relayAlerts[0]?.summary, '2 hosts unreachable behind relay gw-1: app-1, app-2')
  const offline = alerts.filter((a) => a.ruleId === 'default-host-offline').map((a) => a.hostName).sort()
  assert.deepEqual(offline, ['db-1', 'gw-1'], 'no offline alert for app-1 or app-2')
  const dead = (await get<RelaySummary[]>(hub, '/relays'))[0]
  assert.deepEqual([dead?.health, dead?.unreachable], ['offline', 2])
})

test('a chain of two relays shows as a path of two hops; a refused CONNECT is in the hub\'s audit', async (t) => {
  const hub = await siteHub(t, { agentIntervalMs: INTERVAL, adminEmail: null })
  const outer = await startSiteAgent(t, hub, { relayPort: 0, intervalMs: INTERVAL, hostname: 'gw-outer' })
  const inner = await startSiteAgent(t, hub, { relayPort: 0, upstreams: [outer.relayUrl!], intervalMs: INTERVAL, hostname: 'gw-inner' })
  const leaf = await startSiteAgent(t, hub, { upstreams: [inner.relayUrl!], intervalMs: INTERVAL, hostname: 'leaf' })

  let hosts: HostSummary[] = []
  await until(async () => {
    hosts = await get<HostSummary[]>(hub, '/hosts')
    return via(hosts, leaf.agentId).length === 2
  }, 'the leaf\'s path through both relays')
  assert.deepEqual(via(hosts, leaf.agentId), ['gw-inner', 'gw-outer'], 'first hop first')
  assert.deepEqual(via(hosts, inner.agentId), ['gw-outer'])
  await until(async () => (await get<RelaySummary[]>(hub, '/relays')).length === 2, 'both relays reporting')
  const relays = await get<RelaySummary[]>(hub, '/relays')
  assert.deepEqual(relays.map((r) => [r.name, r.behind, r.via.map((v) => v.name)]), [['gw-inner', 1, ['gw-outer']], ['gw-outer', 2, []]])

  // A CONNECT without a signature: refused (407) and reported by the relay as `relay.refused`.
  const port = inner.agent.relay!.address.port
  const target = new URL(hub.url).host
  const status = await new Promise<string>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => { s.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`) })
    s.once('data', (chunk) => { resolve(String(chunk).split(' ')[1] ?? ''); s.destroy() })
    s.once('error', reject)
  })
  assert.equal(status, '407')
  let audited: Array<{ actor: string, action: string, target: string, result: string, detail: { message: string } }> = []
  await until(async () => {
    audited = await get(hub, `/audit?action=relay.refused&actor=${encodeURIComponent(`agent:${inner.agentId}`)}`)
    return audited.length > 0
  }, 'the refusal in the audit')
  assert.equal(audited.length, 1)
  assert.deepEqual([audited[0]?.target, audited[0]?.result], [`host:${inner.agentId}`, 'denied'])
  assert.match(audited[0]?.detail.message ?? '', /refused CONNECT .*407/)
})

test('an agent that fails over reports at once, so the hub shows its new path long before its next interval', async (t) => {
  // Ten minutes: nothing periodic can explain what the hub learns during this test.
  const LONG = 600_000
  const hub = await siteHub(t, { adminEmail: null })
  const g1 = await startSiteAgent(t, hub, { relayPort: 0, intervalMs: LONG, hostname: 'g-1' })
  const g2 = await startSiteAgent(t, hub, { relayPort: 0, intervalMs: LONG, hostname: 'g-2' })
  const leaf = await startSiteAgent(t, hub, { upstreams: [g1.relayUrl!, g2.relayUrl!], intervalMs: LONG, hostname: 'leaf' })
  await until(async () => via(await get<HostSummary[]>(hub, '/hosts'), leaf.agentId)[0] === 'g-1', 'the leaf to show its path through g-1')

  await g1.agent.stop()
  await until(async () => {
    const detail = await get<HostDetail>(hub, `/hosts/${leaf.agentId}`)
    return detail.link?.label === g2.relayUrl && via(await get<HostSummary[]>(hub, '/hosts'), leaf.agentId)[0] === 'g-2'
  }, 'the leaf to say it uses g-2, and g-2 to list it', 60_000)
  const detail = await get<HostDetail>(hub, `/hosts/${leaf.agentId}`)
  assert.deepEqual(detail.link, { kind: 'relay', label: g2.relayUrl, index: 1 })
})
