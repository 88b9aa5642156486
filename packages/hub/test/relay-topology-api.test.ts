// Relay topology on a real hub (hub clock injected): simulated agents send really signed reports
// carrying `link` and `relay`, and the API, the live events, the audit and the alerts are read back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { SimulatedAgent } from '@outpost/testkit'
import type { Alert, AgentEvent, HostDetail, HostSummary, RelayReport, RelaySummary } from '@outpost/protocol'
import { alertHub, type AlertHub } from './support/alerts-fixture.ts'
import { call, createUser, login } from './support/console-fixture.ts'

const LINK_RELAY = { kind: 'relay', label: 'relay://10.0.0.5:7443', index: 0 } as const
const LINK_DIRECT = { kind: 'direct', label: 'https://hub.example:8443', index: 1 } as const
const report = (downstream: string[], over: Partial<RelayReport> = {}): RelayReport => ({
  listen: '10.0.0.5:7443', downstream, active: downstream.length, connections: 7, refused: 1, bytesUp: 1000, bytesDown: 5000, cpuPercent: 1.5, ...over
})
const M = [{ name: 'cpu.util_pct', value: 1 }]

/** Polls `cond` until it holds (the topology is written just after the commit, off the request). */
async function until<T> (get: () => Promise<T>, cond: (v: T) => boolean, what: string): Promise<T> {
  const deadline = performance.now() + 20_000
  for (;;) {
    const v = await get()
    if (cond(v)) return v
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const hosts = async (h: AlertHub): Promise<HostSummary[]> => (await h.api('/hosts')).json
const relays = async (h: AlertHub): Promise<RelaySummary[]> => (await h.api('/relays')).json
const viaOf = (list: HostSummary[], id: string): string[] => list.find((x) => x.id === id)?.via.map((v) => v.name) ?? ['missing']
const openAlerts = async (h: AlertHub): Promise<Alert[]> => (await h.api('/alerts?state=open')).json

interface Site { h: AlertHub, gw: SimulatedAgent, a1: SimulatedAgent, a2: SimulatedAgent, seq: Map<string, number> }

/** gw-1 relays for app-1 and app-2; every host reports once. */
async function site (h: AlertHub): Promise<Site> {
  const gw = await h.agent('gw-1', 'gw')
  const a1 = await h.agent('app-1', 'web')
  const a2 = await h.agent('app-2', 'web')
  const s: Site = { h, gw, a1, a2, seq: new Map() }
  await send(s, gw, { relay: report([a1.agentId, a2.agentId]), link: LINK_DIRECT })
  await send(s, a1, { link: LINK_RELAY })
  await send(s, a2, { link: LINK_RELAY })
  await until(() => hosts(h), (l) => viaOf(l, a1.agentId)[0] === 'gw-1' && viaOf(l, a2.agentId)[0] === 'gw-1', 'paths through gw-1')
  return s
}

async function send (s: Site, a: SimulatedAgent, extra: Record<string, unknown>, events: AgentEvent[] = []): Promise<void> {
  const seq = (s.seq.get(a.agentId) ?? 0) + 1
  s.seq.set(a.agentId, seq)
  const res = await s.h.report(a, seq, M, events, extra)
  assert.equal(res.status, 200, res.text)
}

test('paths, host detail, live host events and the relay list come from what agents and relays report', async (t) => {
  const h = await alertHub(t, { agentIntervalMs: 1000 })
  const s = await site(h)
  const { gw, a1, a2 } = s
  const list = await hosts(h)
  assert.deepEqual(list.find((x) => x.id === a1.agentId)?.via, [{ id: gw.agentId, name: 'gw-1' }])
  assert.deepEqual(viaOf(list, gw.agentId), [], 'the relay itself reaches the hub directly')
  await h.waitLive((e) => e.type === 'host' && e.host.id === a2.agentId && e.host.via.length === 1 && e.host.via[0]?.id === gw.agentId)

  const detail: HostDetail = (await h.api(`/hosts/${gw.agentId}`)).json
  assert.deepEqual(detail.relay, report([a1.agentId, a2.agentId]))
  assert.equal(detail.relayAt, new Date(h.now()).toISOString())
  assert.deepEqual(detail.link, LINK_DIRECT)
  const a1Detail: HostDetail = (await h.api(`/hosts/${a1.agentId}`)).json
  assert.deepEqual([a1Detail.link, a1Detail.relay, a1Detail.via.map((v) => v.name)], [LINK_RELAY, null, ['gw-1']])

  const [r] = await relays(h)
  assert.deepEqual(r, {
    id: gw.agentId, name: 'gw-1', group: 'gw', status: 'online', health: 'ok', listen: '10.0.0.5:7443', reportedAt: new Date(h.now()).toISOString(),
    via: [], downstream: 2, behind: 2, unreachable: 0, active: 2, connections: 7, refused: 1, bytesUp: 1000, bytesDown: 5000, cpuPercent: 1.5
  })

  // A second relay behind the first: a3 goes a3 → gw-2 → gw-1 → hub.
  const gw2 = await h.agent('gw-2', 'gw')
  const a3 = await h.agent('app-3', 'web')
  await send(s, gw2, { relay: report([a3.agentId]), link: LINK_RELAY })
  await send(s, gw, { relay: report([a1.agentId, a2.agentId, gw2.agentId]) })
  await send(s, a3, { link: LINK_RELAY })
  const chained = await until(() => hosts(h), (l) => viaOf(l, a3.agentId).length === 2, 'a path of two relays')
  assert.deepEqual(viaOf(chained, a3.agentId), ['gw-2', 'gw-1'], 'first hop first')
  const both = await relays(h)
  assert.deepEqual(both.map((x) => [x.name, x.downstream, x.behind, x.via.map((v) => v.name)]), [['gw-1', 3, 4, []], ['gw-2', 1, 1, ['gw-1']]])

  // Failover: app-1 now reaches the hub directly; gw-1 no longer lists it.
  await send(s, a1, { link: LINK_DIRECT })
  await until(() => hosts(h), (l) => viaOf(l, a1.agentId).length === 0, 'app-1 direct')

  // Health: a relay report older than three intervals is stale; a silent relay is offline.
  h.advance(3500)
  await send(s, gw, { link: LINK_DIRECT })
  assert.equal((await relays(h)).find((x) => x.id === gw.agentId)?.health, 'stale')
  h.advance(3500)
  const late = (await relays(h)).find((x) => x.id === gw.agentId)
  assert.deepEqual([late?.health, late?.status, late?.unreachable], ['offline', 'offline', 3])
})

test('the relay list is scoped to the caller\'s host groups and counts only hosts it may see', async (t) => {
  const h = await alertHub(t)
  const s = await site(h)
  const gwWeb = await h.agent('gw-web', 'web')
  await send(s, s.gw, { link: LINK_RELAY })
  await send(s, gwWeb, { relay: report([s.gw.agentId]) })
  await until(() => relays(h), (l) => l.length === 2, 'two relays')
  await createUser(h.f, 'webview', 'viewer', { groups: ['web'] })
  const b = await login(h.f, 'webview')
  const seen: RelaySummary[] = (await call(h.f, 'GET', '/api/v1/relays', { browser: b })).json
  assert.deepEqual(seen.map((r) => [r.name, r.downstream, r.behind]), [['gw-web', 0, 2]], 'gw-1 (group gw) is left out and not counted as downstream')
  assert.equal((await call(h.f, 'GET', '/api/v1/relays')).status, 401, 'no credentials')
})

test('refusals a relay reports are audited once each, at most the protocol\'s cap per report', async (t) => {
  const h = await alertHub(t)
  const gw = await h.agent('gw-1')
  const refusal = (i: number): AgentEvent => ({ name: 'relay.refused', severity: 'warning', message: `CONNECT from 10.0.0.${i}: bad signature`, time: h.now() })
  assert.equal((await h.report(gw, 1, M, [refusal(7)])).status, 200)
  const audited = async () => (await h.api(`/audit?action=relay.refused&actor=${encodeURIComponent(`agent:${gw.agentId}`)}`)).json as Array<Record<string, any>>
  const [one] = await until(audited, (l) => l.length === 1, 'the refusal in the audit')
  assert.deepEqual([one?.target, one?.result, one?.detail.message], [`host:${gw.agentId}`, 'denied', 'CONNECT from 10.0.0.7: bad signature'])
  assert.equal((await h.report(gw, 1, M, [refusal(7)])).status, 200, 'the same report again (a lost acknowledgement)')
  assert.equal((await h.report(gw, 2, M, Array.from({ length: 30 }, (_, i) => refusal(i)))).status, 200)
  // Refusals are audited in report order: once the last report's is there, all before it are.
  assert.equal((await h.report(gw, 3, M, [refusal(99)])).status, 200)
  const all = await until(audited, (l) => l.some((e) => e.detail.message === 'CONNECT from 10.0.0.99: bad signature'), 'the last report\'s refusal')
  assert.equal(all.length, 22, 'not audited twice; 20 of 30')
})

test('a relay that fails raises one alert naming the hosts behind it, not one per host; it resolves when they are back', async (t) => {
  const h = await alertHub(t, { agentIntervalMs: 1000, adminEmail: 'ops@example.test' })
  const s = await site(h)
  const db = await h.agent('db-1', 'db')
  await send(s, db, { link: LINK_DIRECT })
  h.advance(3500)
  const relayAlert = await h.waitAlert((a) => a.ruleId === 'default-relay-unreachable')
  assert.equal(relayAlert.hostId, s.gw.agentId)
  assert.equal(relayAlert.summary, '2 hosts unreachable behind relay gw-1: app-1, app-2')
  assert.equal(relayAlert.severity, 'critical')
  await h.waitAlert((a) => a.ruleId === 'default-host-offline' && a.hostId === db.agentId)
  await h.waitAlert((a) => a.ruleId === 'default-host-offline' && a.hostId === s.gw.agentId)
  const open = await openAlerts(h)
  assert.deepEqual(open.map((a) => [a.ruleId, a.hostName]).sort(), [
    ['default-host-offline', 'db-1'], ['default-host-offline', 'gw-1'], ['default-relay-unreachable', 'gw-1']
  ], 'no host-offline alert for app-1 or app-2')
  await h.sink.waitForMessage((m) => m.subject?.includes('2 hosts unreachable behind relay gw-1') === true)

  // They fail over to the hub directly: the relay alert resolves, gw-1's own stays.
  await send(s, s.a1, { link: LINK_DIRECT })
  await send(s, s.a2, { link: LINK_DIRECT })
  await h.waitAlert((a) => a.id === relayAlert.id && a.state === 'resolved')
  assert.deepEqual((await openAlerts(h)).map((a) => [a.ruleId, a.hostName]).sort(), [['default-host-offline', 'db-1'], ['default-host-offline', 'gw-1']])
})

test('hosts still silent once their relay is back count as offline on their own after the rule\'s intervals', async (t) => {
  const h = await alertHub(t, { agentIntervalMs: 1000 })
  const s = await site(h)
  h.advance(3500)
  const relayAlert = await h.waitAlert((a) => a.ruleId === 'default-relay-unreachable')
  // gw-1 is back and keeps reporting; app-1 and app-2 never come back.
  const found = await until(async () => {
    h.advance(500)
    await send(s, s.gw, { relay: report([]) })
    return openAlerts(h)
  }, (l) => l.filter((a) => a.ruleId === 'default-host-offline').length === 2, 'app-1 and app-2 offline on their own')
  assert.deepEqual(found.map((a) => [a.ruleId, a.hostName]).sort(), [['default-host-offline', 'app-1'], ['default-host-offline', 'app-2']])
  assert.equal(found.some((a) => a.id === relayAlert.id), false, 'the relay alert resolved')
})

test('with the relay rule disabled, every host behind the relay gets its own offline alert', async (t) => {
  const h = await alertHub(t, { agentIntervalMs: 1000 })
  const rule = (await h.api('/alert-rules')).json.find((r: { id: string }) => r.id === 'default-relay-unreachable')
  const { id: _id, createdAt: _c, updatedAt: _u, ...input } = rule
  assert.equal((await h.api('/alert-rules/default-relay-unreachable', { method: 'PUT', body: { ...input, enabled: false } })).status, 200)
  const s = await site(h)
  h.advance(3500)
  for (const a of [s.gw, s.a1, s.a2]) await h.waitAlert((x) => x.ruleId === 'default-host-offline' && x.hostId === a.agentId)
  assert.equal((await openAlerts(h)).filter((a) => a.ruleId === 'default-relay-unreachable').length, 0)
})
