// Sections b–e of the load benchmark, on one hub process and one simulated fleet (enrolled once):
// b. connected agents and the hub's RSS (vs a bare `ws` server holding as many sockets);
// c. instruction round trip with 10 and with 10,000 agents connected;
// d. reconnect storm after a hub restart;
// e. alert latency (threshold crossing → alert stored → mail accepted), under the load of c.
import { setTimeout as delay } from 'node:timers/promises'
import { api, sendSigned, type SimulatedAgent, type SmtpSink } from '@outpost/testkit'
import { startChildServer, type ChildServer } from './child-server.ts'
import { LatencyRecorder } from './load-stats.ts'
import { fmt, mib, progress, say, startHub, type HubInfo, type StoreChoice } from './load-report.ts'
import { cpuSeconds, peakRssBytes, rssBytes } from './proc-sample.ts'
import { SimFleet, type SimRunOptions, type SimStatus } from './sim-agents.ts'
import { Operator } from './sim-relays.ts'

/** Options of the simulated fleet: the agent's defaults (30 s ± 20 %, back-off 0.5–60 s), WebSocket only. */
export function fleetOptions (hubUrl?: string): SimRunOptions {
  return { upstreams: [], intervalMs: 30_000, jitter: 0.2, transport: 'ws', pollWaitMs: 25_000, upstreamRetryMs: 5_000, backoff: { minMs: 500, maxMs: 60_000 }, ...(hubUrl === undefined ? {} : { hubUrl }) }
}

/** The hub under test, restartable on the same port and data (same certificate, same store). */
export class HubUnderTest implements Restartable {
  proc: ChildServer<HubInfo>
  readonly #store: StoreChoice
  readonly #args: string[]

  constructor (proc: ChildServer<HubInfo>, store: StoreChoice, args: string[]) {
    this.proc = proc
    this.#store = store
    this.#args = args
  }

  get info (): HubInfo { return this.proc.info }

  /** SIGTERM (graceful close, sockets get 1001), then a new process; resolves when it listens. */
  async restart (): Promise<{ downAt: number, upAt: number }> {
    const downAt = Date.now()
    await this.proc.stop()
    const port = new URL(this.proc.info.url).port
    const adminToken = this.proc.info.adminToken
    this.proc = await startHub(this.#store, [...this.#args, '--port', port])
    // The first token stays valid: keep using it (the new one works as well).
    this.proc = { ...this.proc, info: { ...this.proc.info, adminToken } }
    return { downAt, upAt: Date.now() }
  }
}

/** Waits (bounded) until `count` WebSockets are open; returns the status and the seconds it took. */
async function waitWs (fleet: SimFleet, count: number, limitMs: number): Promise<{ s: SimStatus, secs: number }> {
  const t0 = performance.now()
  let s = await fleet.status()
  while (s.ws < count && performance.now() - t0 < limitMs) {
    await delay(500)
    s = await fleet.status()
  }
  return { s, secs: (performance.now() - t0) / 1000 }
}

const errorsOf = (s: SimStatus): number => s.sendErrors + s.pollErrors

/** Section b: ramp `n` agents to the hub, then to the bare `ws` server; RSS and CPU of each. */
export async function connectedSection (hub: HubUnderTest, fleet: SimFleet, n: number, rampS: number, windowS: number, bareUrl: string, barePid: number): Promise<void> {
  const rows: string[] = []
  for (const [name, url, pid] of [['hub', undefined, hub.proc.pid], ['bare ws (baseline)', bareUrl, barePid]] as const) {
    const rss0 = rssBytes(pid)
    await fleet.run(fleetOptions(url), 30_000, { agents: n, rampMs: rampS * 1000 })
    const { s, secs } = await waitWs(fleet, n, (rampS + 120) * 1000)
    progress(`b: ${name}: ${s.ws} of ${n} WebSockets open after ${fmt(secs)} s; errors ${JSON.stringify(s.errorKinds)}`)
    await delay(10_000)
    const c0 = { cpu: cpuSeconds(pid), t: performance.now(), s: await fleet.status() }
    await delay(windowS * 1000)
    const c1 = { cpu: cpuSeconds(pid), t: performance.now(), s: await fleet.status() }
    const rss = rssBytes(pid)
    const peak = peakRssBytes(pid)
    rows.push(`| ${name} | ${c1.s.ws} / ${n} | ${fmt(secs)} | ${mib(rss0)} | ${mib(rss)} | ${mib(peak)} | ${fmt((rss - rss0) / Math.max(1, c1.s.ws) / 1024, 1)} | ${fmt(100 * (c1.cpu - c0.cpu) / ((c1.t - c0.t) / 1000))} | ${c1.s.reportsAcked - c0.s.reportsAcked} | ${errorsOf(c1.s)} |`)
    await fleet.halt()
    await delay(5_000)
  }
  say(`\n### b. Connected agents and RSS: ${fmt(n)} simulated agents over WebSocket (dials ramped over ${rampS} s, reports every 30 s ± 20 %), ${windowS} s window after all connected\n`)
  say('| server | WebSockets open | all open after, s | RSS before, MiB | RSS with the agents, MiB | peak RSS, MiB | KiB per agent | CPU in window, % of one core | reports acked in window | errors |')
  say('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const r of rows) say(r)
}

/** Round trips (operator API → agent → result stored) to random agents among `ids`. */
async function roundTrips (hub: HubUnderTest, ids: readonly string[], samples: number): Promise<{ rec: LatencyRecorder, failed: number }> {
  const op = new Operator(hub.info.url, hub.info.adminToken)
  const rec = new LatencyRecorder()
  let failed = 0
  try {
    for (let i = 0; i < 10; i++) await op.roundTrip(ids[i % ids.length]!, 'stat')
    for (let i = 0; i < samples; i++) {
      const id = ids[Math.floor(Math.random() * ids.length)]!
      const t0 = performance.now()
      const status = await op.roundTrip(id, 'stat')
      if (status === 'completed') rec.add(performance.now() - t0)
      else failed++
    }
  } finally {
    op.close()
  }
  return { rec, failed }
}

/** One alert cycle: a report over the threshold, then the alert stored, then the mail; then back to normal. */
async function alertCycles (hub: HubUnderTest, agent: SimulatedAgent, sink: SmtpSink, cycles: number, seq: { n: number }): Promise<{ stored: LatencyRecorder, mailed: LatencyRecorder }> {
  const stored = new LatencyRecorder()
  const mailed = new LatencyRecorder()
  const open = async (): Promise<number> => ((await api(hub.info.url, hub.info.adminToken, `/alerts?state=open&hostId=${agent.agentId}`)).json as unknown[]).length
  const report = (value: number): Promise<unknown> => sendSigned(hub.info.url, agent, { type: 'report', seq: ++seq.n, time: Date.now(), metrics: [{ name: 'fs.used_pct[/]', value }] })
  for (let i = 0; i < cycles; i++) {
    const before = sink.messages.length
    const t0 = performance.now()
    const mail = sink.waitForMessage((m) => sink.messages.indexOf(m) >= before && m.subject?.includes('fs.used_pct[/]') === true && m.subject.startsWith('[CRITICAL]'), 30_000)
    await report(95)
    for (let k = 0; k < 3000 && await open() === 0; k++) await delay(5)
    stored.add(performance.now() - t0)
    await mail
    mailed.add(performance.now() - t0)
    await report(30)
    for (let k = 0; k < 3000 && await open() > 0; k++) await delay(20)
  }
  return { stored, mailed }
}

/** Sections c and e, with `n` agents connected. */
export async function roundTripSection (hub: HubUnderTest, fleet: SimFleet, n: number, rampS: number, samples: number, alert: { agent: SimulatedAgent, sink: SmtpSink, cycles: number, seq: { n: number } }): Promise<string[]> {
  const ids = await fleet.run(fleetOptions(), 30_000, { agents: n, rampMs: n > 100 ? rampS * 1000 : 0 })
  const { s, secs } = await waitWs(fleet, n, (rampS + 120) * 1000)
  progress(`c: ${s.ws} of ${n} connected after ${fmt(secs)} s`)
  await delay(n > 100 ? 10_000 : 1000)
  const cpu0 = { hub: hub.proc.cpuSeconds(), t: performance.now() }
  const { rec, failed } = await roundTrips(hub, ids, samples)
  const hubCpu = 100 * (hub.proc.cpuSeconds() - cpu0.hub) / ((performance.now() - cpu0.t) / 1000)
  progress(`c: ${n} agents: p50 ${fmt(rec.quantile(0.5), 1)} ms p99 ${fmt(rec.quantile(0.99), 1)} ms; hub CPU ${fmt(hubCpu)} %`)
  const a = await alertCycles(hub, alert.agent, alert.sink, alert.cycles, alert.seq)
  progress(`e: ${n} agents: stored p50 ${fmt(a.stored.quantile(0.5), 1)} ms, mailed p50 ${fmt(a.mailed.quantile(0.5), 1)} ms`)
  const end = await fleet.status()
  return [
    `| ${fmt(n)} (${end.ws} open) | ${rec.count} | ${fmt(rec.quantile(0.5), 1)} | ${fmt(rec.quantile(0.99), 1)} | ${fmt(rec.quantile(1), 1)} | ${failed} | ${fmt(hubCpu)} |`,
    `| ${fmt(n)} | ${a.stored.count} | ${fmt(a.stored.quantile(0.5), 0)} | ${fmt(a.stored.quantile(0.99), 0)} | ${fmt(a.mailed.quantile(0.5), 0)} | ${fmt(a.mailed.quantile(0.99), 0)} |`
  ]
}

/** Something the fleet is connected to that can be restarted on the same port. */
export interface Restartable {
  restart (): Promise<{ downAt: number, upAt: number }>
}

/** The bare `ws` baseline of the storm, restartable on its port. */
export class BareUnderTest implements Restartable {
  proc: ChildServer<{ url: string }>
  readonly #tlsDir: string

  constructor (proc: ChildServer<{ url: string }>, tlsDir: string) {
    this.proc = proc
    this.#tlsDir = tlsDir
  }

  async restart (): Promise<{ downAt: number, upAt: number }> {
    const downAt = Date.now()
    await this.proc.stop()
    this.proc = await startChildServer<{ url: string }>('support/load-bare-ws-server.ts', [this.#tlsDir, new URL(this.proc.info.url).port])
    return { downAt, upAt: Date.now() }
  }
}

/** One storm: `server` restarted under `n` connected agents; a table row of what the agents saw. */
async function storm (name: string, server: Restartable, fleet: SimFleet, n: number, limitS: number): Promise<{ row: string, note: string }> {
  const ready = await waitWs(fleet, n, limitS * 1000)
  if (ready.s.ws < n) progress(`d: ${name}: only ${ready.s.ws} of ${n} connected before the restart`)
  await delay(5_000)
  const before = await fleet.status()
  const { downAt, upAt } = await server.restart()
  progress(`d: ${name} down ${fmt((upAt - downAt) / 1000, 1)} s; waiting for ${n} agents`)
  const atUp = await fleet.status()
  const t0 = performance.now()
  let s = atUp
  let wsBackS = Number.NaN
  let acks = await fleet.acksAfter(upAt)
  let allAckS = Number.NaN
  while (performance.now() - t0 < limitS * 1000) {
    await delay(500)
    s = await fleet.status()
    if (Number.isNaN(wsBackS) && s.ws >= n) wsBackS = (performance.now() - t0) / 1000
    acks = await fleet.acksAfter(upAt)
    if (acks.every((x) => x !== null)) { allAckS = (performance.now() - t0) / 1000; break }
  }
  const kinds: Record<string, number> = {}
  for (const [k, v] of Object.entries(s.errorKinds)) {
    const d = v - (atUp.errorKinds[k] ?? 0)
    if (d > 0) kinds[k] = d
  }
  const whileDown: Record<string, number> = {}
  for (const [k, v] of Object.entries(atUp.errorKinds)) {
    const d = v - (before.errorKinds[k] ?? 0)
    if (d > 0) whileDown[k] = d
  }
  const throttled = kinds.throttled ?? 0
  const other = Object.entries(kinds).filter(([k]) => k !== 'throttled').reduce((a, [, v]) => a + v, 0)
  const lastAck = Math.max(...acks.map((x) => x?.at ?? 0))
  progress(`d: ${name}: WebSockets back after ${fmt(wsBackS, 1)} s, every agent acknowledged after ${fmt(allAckS, 1)} s, ${throttled} × 429/503, other errors ${JSON.stringify(kinds)}`)
  return {
    row: `| ${name} | ${fmt((upAt - downAt) / 1000, 1)} | ${fmt(wsBackS, 1)} | ${fmt(allAckS, 1)} | ${fmt((lastAck - upAt) / 1000, 1)} | ${throttled} | ${other} ${other > 0 ? JSON.stringify(kinds) : ''} | ${JSON.stringify(whileDown)} |`,
    note: `${name}: ${s.ws} of ${n} WebSockets open at the end; agents without an acknowledged report: ${acks.filter((x) => x === null).length}.`
  }
}

/**
 * Section d: restart the hub under `n` connected agents (already running), then the same for the
 * bare `ws` server; time until all are back and every error the agents saw.
 */
export async function stormSection (hub: HubUnderTest, bare: BareUnderTest, fleet: SimFleet, n: number, limitS: number, rampS: number): Promise<void> {
  const rows = [await storm('hub', hub, fleet, n, limitS)]
  await fleet.halt()
  await delay(5_000)
  await fleet.run(fleetOptions(bare.proc.info.url), 30_000, { agents: n, rampMs: rampS * 1000 })
  rows.push(await storm('bare ws (baseline)', bare, fleet, n, limitS))
  say(`\n### d. Reconnect storm: server restarted (SIGTERM, new process on the same port and data) under ${fmt(n)} connected agents\n`)
  say('| server | down (stop → listening), s | all WebSockets back after, s | every agent had a report acknowledged after, s | last ack after listening, s | 429/503 answers | other errors after listening | errors while down |')
  say('|---|---:|---:|---:|---:|---:|---|---|')
  for (const r of rows) say(r.row)
  say(`\n${rows.map((r) => r.note).join(' ')} Reports are due every 30 s ± 20 %, so the last agent's first report after the restart is due up to 36 s after it; agents with a report queued while the server was down send it as soon as they are back.`)
}
