// A ring of relays in real network namespaces: A and B have uplinks, C has none, each lists the
// others (before the hub where it has one), the LAN agent lists C, A, B. Relays are real
// `outpost agent` processes killed with SIGKILL; failover times are printed for the benchmarks
// and bounded generously only so that a hang fails. Needs root and iproute2.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createNetnsLab, site, tcpProbe } from '@outpost/testkit'
import {
  assertDeliveredOnce, command, firstReportReceivedAfter, logsOf, relayedFor, reportAfter, seconds, stages, startNetnsAgent, startNetnsHub, type NetnsAgent
} from './support/netns-outpost.ts'

/** Generous bound on a failover: a hang fails the test; the time itself is a benchmark figure. */
const FAILOVER_LIMIT_MS = 30_000

test('ring: relays A and B with uplinks, C without; any one relay dies and the LAN agent keeps reporting, with no routing loop', { timeout: 85_000 }, async (t) => {
  const mark = stages(t)
  const lab = createNetnsLab({ prefix: 'opnr' })
  t.after(() => lab.cleanup())
  const s = site(lab, { gateways: ['ra', 'rb'], lan: ['rc', 'pc'] })
  const hub = await startNetnsHub(t, lab, s.hub.ns, s.hubAddress, { enrollTokens: 4 })
  mark('hub')
  const [ga, gb, lc, lpc] = [s.gateways.ra, s.gateways.rb, s.lan.rc, s.lan.pc]
  assert.ok(ga !== undefined && gb !== undefined && lc !== undefined && lpc !== undefined)
  // Fixed ports (each namespace has its own), so that every relay can list the others up front.
  const url = (address: string): string => `relay://${address}:7443`
  const [A, B, C] = [url(ga.lan.address), url(gb.lan.address), url(lc.lan.address)]
  assert.deepEqual(await tcpProbe(lab, lc.ns, s.hubAddress, Number(new URL(hub.url).port)), { ok: false, code: 'ENETUNREACH' })

  const [a, b] = await Promise.all([
    startNetnsAgent(t, lab, hub, { ns: ga.ns, name: 'a', relayListen: `${ga.lan.address}:7443`, upstreams: [B, C, hub.url] }),
    startNetnsAgent(t, lab, hub, { ns: gb.ns, name: 'b', relayListen: `${gb.lan.address}:7443`, upstreams: [A, C, hub.url] })
  ])
  mark('a, b')
  const c = await startNetnsAgent(t, lab, hub, { ns: lc.ns, name: 'c', relayListen: `${lc.lan.address}:7443`, upstreams: [A, B] })
  mark('c')
  const pc = await startNetnsAgent(t, lab, hub, { ns: lpc.ns, name: 'pc', upstreams: [C, A, B] })
  await reportAfter(hub, pc.agentId, 0, 'the LAN agent')
  await reportAfter(hub, c.agentId, 0, 'relay C')

  mark('pc')
  const kills: Array<[NetnsAgent, number]> = []
  let previous: NetnsAgent | undefined
  for (const victim of [a, b, c]) {
    if (previous !== undefined) await previous.restart()
    mark(`restart ${previous?.name ?? '-'}`)
    const killedAt = await victim.kill()
    kills.push([victim, killedAt])
    await reportAfter(hub, pc.agentId, killedAt, `the LAN agent with ${victim.name.toUpperCase()} dead`, FAILOVER_LIMIT_MS)
    mark(`without ${victim.name}`)
    // Without C, its first choice, the LAN agent goes straight to A or B.
    if (victim === c) assert.ok(relayedFor(a, pc, killedAt) || relayedFor(b, pc, killedAt), 'A or B relays for the LAN agent while C is dead')
    const run = await command(hub, pc.agentId, { type: 'exec', argv: ['echo', `without ${victim.name}`] })
    assert.equal(run.stdout.trim(), `without ${victim.name}`)
    mark('exec')
    previous = victim
  }
  await c.restart()
  await reportAfter(hub, c.agentId, Date.now(), 'relay C once back')
  mark('c back')

  // The ring was tried: some relay refused a connection that already went through it.
  const loops = logsOf([a, b, c], (l) => String(l.msg).startsWith('relay refused a CONNECT') && l.status === 508)
  assert.ok(loops.length > 0, 'a relay refused a looping CONNECT (508)')
  assert.ok(loops.every((l) => String(l.path).split(',').length <= 4), `no path ever grew past the ring: ${JSON.stringify(loops.map((l) => l.path))}`)
  t.diagnostic(`ring: ${loops.length} looping CONNECT(s) refused with 508`)

  for (const x of [pc, c, a, b]) await x.stop()
  mark('stop agents')
  await hub.proc.stop()
  mark('stop hub')
  t.diagnostic(`ring failover: ${kills.map(([v, at]) => {
    const first = firstReportReceivedAfter(hub, pc, at)
    return `${v.name.toUpperCase()} killed, the LAN agent's first report after it received ${first === undefined ? '?' : seconds(first - at)} s later`
  }).join('; ')} (reports every 2 s)`)
  t.diagnostic(assertDeliveredOnce(hub, [pc, c, a, b]))
})
