// Failover to a backup gateway in real network namespaces (the ring is in netns-ring.test.ts).
// Gateways are real `outpost agent` processes killed with SIGKILL. The failover times are
// printed (diagnostics) for the benchmarks; the test bounds them generously only so that a hang
// fails. Needs root and iproute2.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createNetnsLab, site, tcpProbe } from '@outpost/testkit'
import {
  assertDeliveredOnce, command, firstReportReceivedAfter, relayedFor, reportAfter, seconds, stages, startNetnsAgent, startNetnsHub, switchedAt, until
} from './support/netns-outpost.ts'

/** Generous bound on a failover: a hang fails the test; the time itself is a benchmark figure. */
const FAILOVER_LIMIT_MS = 30_000

test('backup gateway: when G1 is killed the LAN agents go on through G2, and return to G1 when it is back', { timeout: 85_000 }, async (t) => {
  const mark = stages(t)
  const lab = createNetnsLab({ prefix: 'opnf' })
  t.after(() => lab.cleanup())
  const s = site(lab, { gateways: ['g1', 'g2'], lan: ['pc1', 'pc2'] })
  const hub = await startNetnsHub(t, lab, s.hub.ns, s.hubAddress, { enrollTokens: 4 })
  mark('hub')
  const [gw1, gw2, lan1, lan2] = [s.gateways.g1, s.gateways.g2, s.lan.pc1, s.lan.pc2]
  assert.ok(gw1 !== undefined && gw2 !== undefined && lan1 !== undefined && lan2 !== undefined)
  assert.deepEqual(await tcpProbe(lab, lan1.ns, s.hubAddress, Number(new URL(hub.url).port)), { ok: false, code: 'ENETUNREACH' })

  const [g1, g2] = await Promise.all([
    startNetnsAgent(t, lab, hub, { ns: gw1.ns, name: 'g1', relayListen: gw1.lan.address }),
    startNetnsAgent(t, lab, hub, { ns: gw2.ns, name: 'g2', relayListen: gw2.lan.address })
  ])
  mark('gateways')
  const upstreams = [g1.relayUrl!, g2.relayUrl!]
  const pcs = await Promise.all([
    startNetnsAgent(t, lab, hub, { ns: lan1.ns, name: 'pc1', upstreams }),
    startNetnsAgent(t, lab, hub, { ns: lan2.ns, name: 'pc2', upstreams })
  ])
  mark('lan agents')
  for (const pc of pcs) {
    await reportAfter(hub, pc.agentId, 0, pc.name)
    assert.ok(relayedFor(g1, pc, 0), `${pc.name} went through G1, its first choice`)
    assert.equal(relayedFor(g2, pc, 0), false, `${pc.name} did not use G2 while G1 was up`)
  }

  mark('first reports')
  const killedAt = await g1.kill()
  const measured: string[] = []
  for (const pc of pcs) {
    await reportAfter(hub, pc.agentId, killedAt, `${pc.name} after G1 died`, FAILOVER_LIMIT_MS)
    const switched = switchedAt(pc, 1, killedAt)
    assert.ok(switched !== undefined, `${pc.name} logged its switch to G2`)
    assert.ok(relayedFor(g2, pc, killedAt), `${pc.name} reports through G2`)
    measured.push(`${pc.name} connected through G2 ${seconds(switched - killedAt)} s after G1 was killed`)
  }
  mark('failover')
  const viaG2 = await command(hub, pcs[0]!.agentId, { type: 'exec', argv: ['echo', 'through g2'] })
  assert.equal(viaG2.stdout.trim(), 'through g2')
  mark('exec')
  const restartedAt = Date.now()
  await g1.restart()
  mark('g1 restart')
  const listening = Number((await g1.proc.waitForLog((l) => l.msg === 'relay listening')).time)
  for (const pc of pcs) {
    await until(() => switchedAt(pc, 0, restartedAt) !== undefined && relayedFor(g1, pc, restartedAt), `${pc.name} to return to G1`, FAILOVER_LIMIT_MS)
    const returned = switchedAt(pc, 0, restartedAt)!
    measured.push(`${pc.name} back on G1 ${seconds(returned - listening)} s after G1 listened again (probe every 5 s)`)
    await reportAfter(hub, pc.agentId, returned, `${pc.name} through G1 again`)
  }
  mark('return')
  const viaG1 = await command(hub, pcs[1]!.agentId, { type: 'exec', argv: ['echo', 'through g1'] })
  assert.equal(viaG1.stdout.trim(), 'through g1')
  mark('exec')
  for (const a of [...pcs, g2, g1]) await a.stop()
  mark('stop agents')
  await hub.proc.stop()
  mark('stop hub')
  for (const pc of pcs) {
    const first = firstReportReceivedAfter(hub, pc, killedAt)
    measured.push(`${pc.name}'s first report after the kill received ${first === undefined ? '?' : seconds(first - killedAt)} s after it (reports every 2 s)`)
  }
  t.diagnostic(`backup gateway failover: ${measured.join('; ')}`)
  t.diagnostic(assertDeliveredOnce(hub, [...pcs, g1, g2]))
})
