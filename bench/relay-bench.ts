/**
 * `npm run bench:relay`: what relays cost, on loopback with real processes (issue 5).
 *
 * a. Instruction round trip through 0–3 relay hops: a real hub process; real `outpost agent`
 *    processes as a relay chain R1 → hub, R2 → R1, R3 → R2 and leaf agents L0 (direct), L1 (via
 *    R1), L2 (via R2), L3 (via R3), enrolled through their relays. The operator queues an exec of
 *    `true` and waits for its stored result (POST /hosts/:id/commands, GET /commands/:id?wait);
 *    rounds interleave the hop counts in random order. Baseline: 0 hops, same run.
 * b. One real relay process carrying N simulated agents (own identities, enrolled through the
 *    relay, real transport code: pinned TLS, signed CONNECT, WebSocket) at the 30 s interval: the
 *    relay's CPU (/proc utime+stime) over a window after all WebSockets are up, its RSS, the hub's
 *    CPU. Baseline: the same agents straight to the hub (the relay process then idle).
 * c. Failover: relays G1 and G2, N simulated agents listing G1 then G2; SIGKILL G1 and time, per
 *    agent, until its next report is acknowledged by the hub, and how long past the moment it was
 *    due (made) that was. G1 restarts between rounds and the agents return to it.
 *
 *   npm run bench:relay -- [--samples 200] [--agents 1000] [--processes 4] [--window-s 60]
 *                          [--failover-agents 20] [--failover-interval-s 5] [--rounds 3] [--only abc]
 *                          [--instruction true|stat]   (a: exec `true`, or a `file-stat` that spawns nothing)
 */
import { setTimeout as delay } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { startChildServer, type ChildServer } from './support/child-server.ts'
import { LatencyRecorder } from './support/load-stats.ts'
import { cpuSeconds, rssBytes } from './support/proc-sample.ts'
import { SimFleet, type SimRunOptions } from './support/sim-agents.ts'
import { Operator, startRealAgent, stopRealAgent, type RealAgent } from './support/sim-relays.ts'

const { values: opt } = parseArgs({
  options: {
    samples: { type: 'string', default: '200' }, agents: { type: 'string', default: '1000' }, processes: { type: 'string', default: '4' },
    'window-s': { type: 'string', default: '60' }, 'failover-agents': { type: 'string', default: '20' }, 'failover-interval-s': { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' }, only: { type: 'string', default: 'abc' }, instruction: { type: 'string', default: 'true' }
  }
})
const SAMPLES = Math.min(Number(opt.samples), 2000)
const AGENTS = Math.min(Number(opt.agents), 5000)
const PROCESSES = Math.max(1, Number(opt.processes))
const WINDOW_MS = Number(opt['window-s']) * 1000
const FO_AGENTS = Math.min(Number(opt['failover-agents']), 500)
const FO_INTERVAL_MS = Number(opt['failover-interval-s']) * 1000
const ROUNDS = Math.min(Number(opt.rounds), 10)
const INSTRUCTION = opt.instruction === 'stat' ? 'stat' : 'true'
const TARGET_HOP_MS = 2
const TARGET_CPU_PCT = 5
const TARGET_FAILOVER_MS = 10_000

interface HubInfo { url: string, adminToken: string, tokens: string[] }
const fmt = (n: number, d = 2): string => Number.isFinite(n) ? n.toFixed(d) : '–'
const out: string[] = []
const say = (s: string): void => { out.push(s); process.stdout.write(s + '\n') }
const progress = (s: string): void => { process.stderr.write(`[relay-bench] ${s}\n`) }

/** Options of a simulated fleet like the agent's defaults (auto transport, 30 s ± 20 %). */
function fleetOptions (upstreams: readonly string[], intervalMs: number): SimRunOptions {
  return { upstreams, intervalMs, jitter: 0.2, transport: 'auto', pollWaitMs: 25_000, upstreamRetryMs: 5_000, backoff: { minMs: 500, maxMs: 5_000 } }
}

async function withHub<T> (tokens: number, fn: (hub: ChildServer<HubInfo>) => Promise<T>): Promise<T> {
  const hub = await startChildServer<HubInfo>('support/bench-hub-server.ts', ['--tokens', String(tokens)])
  try {
    return await fn(hub)
  } finally {
    await hub.stop()
  }
}

async function hopLatency (): Promise<void> {
  await withHub(8, async (hub) => {
    const t = [...hub.info.tokens]
    const real: RealAgent[] = []
    const op = new Operator(hub.info.url, hub.info.adminToken)
    try {
      const r1 = await startRealAgent({ token: t.pop()!, relayPort: 0 }); real.push(r1)
      const r2 = await startRealAgent({ token: t.pop()!, relayPort: 0, upstreams: [r1.relayUrl!] }); real.push(r2)
      const r3 = await startRealAgent({ token: t.pop()!, relayPort: 0, upstreams: [r2.relayUrl!] }); real.push(r3)
      const leaves = [
        await startRealAgent({ token: t.pop()! }),
        await startRealAgent({ token: t.pop()!, upstreams: [r1.relayUrl!] }),
        await startRealAgent({ token: t.pop()!, upstreams: [r2.relayUrl!] }),
        await startRealAgent({ token: t.pop()!, upstreams: [r3.relayUrl!] })
      ]
      real.push(...leaves)
      progress(`a: chain up (3 relays, 4 leaves); ${SAMPLES} rounds`)
      for (let i = 0; i < 10; i++) for (const l of leaves) await op.roundTrip(l.agentId, INSTRUCTION)
      const recs = leaves.map(() => new LatencyRecorder())
      let failed = 0
      for (let round = 0; round < SAMPLES; round++) {
        const order = [0, 1, 2, 3].sort(() => Math.random() - 0.5)
        for (const h of order) {
          const t0 = performance.now()
          const status = await op.roundTrip(leaves[h]!.agentId, INSTRUCTION)
          const ms = performance.now() - t0
          if (status === 'completed') recs[h]!.add(ms)
          else failed++
        }
      }
      const base = recs[0]!.quantile(0.5)
      say(`\n### a. Instruction round trip (operator → hub → agent → ${INSTRUCTION === 'true' ? 'exec `true`' : '`file-stat /tmp`'} → result stored), by relay hops\n`)
      say(`${SAMPLES} rounds, hop counts interleaved in random order; failed: ${failed}\n`)
      say('| hops | samples | p50 ms | p99 ms | added p50 vs 0 hops, ms | added p50 per hop, ms | this hop vs one fewer, ms | p50 ratio vs 0 hops |')
      say('|---:|---:|---:|---:|---:|---:|---:|---:|')
      let worstPerHop = 0
      recs.forEach((r, h) => {
        const added = r.quantile(0.5) - base
        const perHop = h === 0 ? Number.NaN : added / h
        if (h > 0) worstPerHop = Math.max(worstPerHop, perHop)
        const marginal = h === 0 ? '–' : fmt(r.quantile(0.5) - recs[h - 1]!.quantile(0.5))
        say(`| ${h} | ${r.count} | ${fmt(r.quantile(0.5))} | ${fmt(r.quantile(0.99))} | ${h === 0 ? 'baseline' : fmt(added)} | ${h === 0 ? '–' : fmt(perHop)} | ${marginal} | ${fmt(r.quantile(0.5) / base)}x |`)
      })
      say(`\nTarget: each hop adds ≤ ${TARGET_HOP_MS} ms (p50): worst average per hop ${fmt(worstPerHop)} ms → ${worstPerHop <= TARGET_HOP_MS ? 'met' : 'NOT met'}`)
    } finally {
      op.close()
      for (const a of real.reverse()) await stopRealAgent(a)
    }
  })
}

interface LoadRun { readonly relayCpuPct: number, readonly relayRssMb: number, readonly hubCpuPct: number, readonly hubRssMb: number, readonly simCpuPct: number, readonly acked: number, readonly errors: number, readonly ws: number, readonly connectS: number }

/** Runs the fleet through `upstreams`, waits for every WebSocket, then measures one window. */
async function loadRun (fleet: SimFleet, upstreams: readonly string[], hub: ChildServer<HubInfo>, relay: RealAgent): Promise<LoadRun> {
  const t0 = performance.now()
  // First reports spread over one interval, as in a fleet that has been running for a while.
  await fleet.run(fleetOptions(upstreams, 30_000), 30_000)
  const end = performance.now() + 120_000
  let s = await fleet.status()
  while (s.ws < AGENTS && performance.now() < end) { await delay(500); s = await fleet.status() }
  if (s.ws < AGENTS) throw new Error(`only ${s.ws} of ${AGENTS} WebSockets opened: ${JSON.stringify(s)}`)
  const connectS = (performance.now() - t0) / 1000
  await delay(5_000) // let the connect burst (and the relay's first checks with the hub) settle
  const before = await fleet.status()
  const c0 = { relay: cpuSeconds(relay.proc.pid), hub: hub.cpuSeconds(), sim: fleet.cpuSeconds(), t: performance.now() }
  await delay(WINDOW_MS)
  const c1 = { relay: cpuSeconds(relay.proc.pid), hub: hub.cpuSeconds(), sim: fleet.cpuSeconds(), t: performance.now() }
  const after = await fleet.status()
  const secs = (c1.t - c0.t) / 1000
  const run: LoadRun = {
    relayCpuPct: 100 * (c1.relay - c0.relay) / secs, relayRssMb: rssBytes(relay.proc.pid) / 2 ** 20, hubCpuPct: 100 * (c1.hub - c0.hub) / secs,
    hubRssMb: rssBytes(hub.pid) / 2 ** 20, simCpuPct: 100 * (c1.sim - c0.sim) / secs, acked: after.reportsAcked - before.reportsAcked,
    errors: after.sendErrors + after.pollErrors - before.sendErrors - before.pollErrors, ws: after.ws, connectS
  }
  await fleet.halt()
  return run
}

async function relayLoad (): Promise<void> {
  await withHub(AGENTS + 1, async (hub) => {
    const relay = await startRealAgent({ token: hub.info.tokens[AGENTS]!, relayPort: 0 })
    const fleet = await SimFleet.start(PROCESSES)
    try {
      const t0 = performance.now()
      await fleet.enroll(hub.info.tokens.slice(0, AGENTS), [relay.relayUrl!], 'load')
      const enrollS = (performance.now() - t0) / 1000
      progress(`b: ${AGENTS} simulated agents enrolled through the relay in ${fmt(enrollS, 1)} s`)
      const via = await loadRun(fleet, [relay.relayUrl!], hub, relay)
      progress(`b: through the relay: ${JSON.stringify(via)}`)
      const direct = await loadRun(fleet, [], hub, relay)
      progress(`b: direct: ${JSON.stringify(direct)}`)
      say(`\n### b. One relay carrying ${AGENTS} simulated agents (30 s ± 20 % interval, WebSocket held open; ${fmt(WINDOW_MS / 1000, 0)} s window after all connected)\n`)
      say(`${AGENTS} agents in ${PROCESSES} processes, ~30 metrics + a 20-process snapshot per report; enrolled through the relay in ${fmt(enrollS, 1)} s\n`)
      say('| path | relay process CPU, % of one core | relay RSS, MiB | hub CPU, % | hub RSS, MiB | reports acked in window | errors | open WebSockets | all connected after, s |')
      say('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
      for (const [name, r] of [['through the relay', via], ['direct to the hub (baseline; relay idle)', direct]] as const) {
        say(`| ${name} | ${fmt(r.relayCpuPct)} | ${fmt(r.relayRssMb, 0)} | ${fmt(r.hubCpuPct)} | ${fmt(r.hubRssMb, 0)} | ${r.acked} | ${r.errors} | ${r.ws} | ${fmt(r.connectS, 1)} |`)
      }
      const share = via.relayCpuPct - direct.relayCpuPct
      say(`\nRelay's share for ${AGENTS} agents: ${fmt(share)} % of one core above its idle self; hub CPU ratio relay/direct ${fmt(via.hubCpuPct / direct.hubCpuPct)}x.`)
      say(`Target: ≤ ${TARGET_CPU_PCT} % of one core for ${AGENTS} agents: relay process ${fmt(via.relayCpuPct)} % → ${via.relayCpuPct <= TARGET_CPU_PCT ? 'met' : 'NOT met'}`)
    } finally {
      await fleet.close()
      await stopRealAgent(relay)
    }
  })
}

async function failover (): Promise<void> {
  await withHub(FO_AGENTS + 2, async (hub) => {
    let g1 = await startRealAgent({ token: hub.info.tokens[FO_AGENTS]!, relayPort: 0 })
    const g2 = await startRealAgent({ token: hub.info.tokens[FO_AGENTS + 1]!, relayPort: 0 })
    const g1Port = Number(g1.relayUrl!.split(':').at(-1))
    const fleet = await SimFleet.start(1)
    const toNext = new LatencyRecorder()
    const pastDue = new LatencyRecorder()
    const perRound: string[] = []
    let missing = 0
    try {
      await fleet.enroll(hub.info.tokens.slice(0, FO_AGENTS), [g1.relayUrl!], 'failover')
      await fleet.run(fleetOptions([g1.relayUrl!, g2.relayUrl!], FO_INTERVAL_MS), FO_INTERVAL_MS)
      await fleet.waitReporting(FO_AGENTS, 60_000)
      for (let round = 0; round < ROUNDS; round++) {
        // Every agent on G1 (over its WebSocket) before the kill.
        const end = performance.now() + 60_000
        let s = await fleet.status()
        while ((s.upstreams['0'] ?? 0) < FO_AGENTS && performance.now() < end) { await delay(250); s = await fleet.status() }
        await delay(FO_INTERVAL_MS)
        const onG1 = (await fleet.status()).upstreams['0'] ?? 0
        const killedAt = Date.now()
        g1.proc.child.kill('SIGKILL')
        // Bounded: every agent acknowledged again, or three times the target (and interval) passed.
        const limit = performance.now() + Math.max(TARGET_FAILOVER_MS, FO_INTERVAL_MS) * 3
        let acks = await fleet.acksAfter(killedAt)
        while (acks.some((a) => a === null) && performance.now() < limit) { await delay(250); acks = await fleet.acksAfter(killedAt) }
        const r = new LatencyRecorder()
        for (const a of acks) {
          if (a === null) { missing++; continue }
          toNext.add(a.at - killedAt)
          r.add(a.at - killedAt)
          pastDue.add(a.at - Math.max(killedAt, a.made))
        }
        s = await fleet.status()
        perRound.push(`round ${round + 1}: next report p50 ${fmt(r.quantile(0.5), 0)} ms, max ${fmt(r.quantile(1), 0)} ms; agents via G1 at the kill ${onG1}/${FO_AGENTS}, via G2 after ${s.upstreams['1'] ?? 0}/${FO_AGENTS}`)
        progress(`c: ${perRound.at(-1)!}`)
        await g1.proc.stop(1000)
        g1 = await startRealAgent({ stateDir: g1.stateDir, relayPort: g1Port })
      }
      say(`\n### c. Failover: SIGKILL of relay G1, ${FO_AGENTS} simulated agents listing G1 then G2 (report interval ${fmt(FO_INTERVAL_MS / 1000, 0)} s ± 20 %), ${ROUNDS} rounds\n`)
      say('| measure | samples | p50 ms | max ms |')
      say('|---|---:|---:|---:|')
      say(`| kill → next report acknowledged by the hub | ${toNext.count} | ${fmt(toNext.quantile(0.5), 0)} | ${fmt(toNext.quantile(1), 0)} |`)
      say(`| delay past the report's due time (made, or the kill if later) | ${pastDue.count} | ${fmt(pastDue.quantile(0.5), 0)} | ${fmt(pastDue.quantile(1), 0)} |`)
      say(`\n${perRound.join('; ')}; agents that did not report again: ${missing}`)
      const worst = toNext.quantile(1)
      say(`Target: ≤ ${TARGET_FAILOVER_MS / 1000} s until the agents report again: max ${fmt(worst / 1000)} s → ${worst <= TARGET_FAILOVER_MS && missing === 0 ? 'met' : 'NOT met'}`)
    } finally {
      await fleet.close()
      await stopRealAgent(g1)
      await stopRealAgent(g2)
    }
  })
}

const started = performance.now()
say(`## relay benchmark — node ${process.version}, loopback, real processes`)
if (opt.only.includes('a')) await hopLatency()
if (opt.only.includes('c')) await failover()
if (opt.only.includes('b')) await relayLoad()
say(`\n(total ${fmt((performance.now() - started) / 1000, 0)} s)`)
