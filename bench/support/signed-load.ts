// The ingest benchmark's load generator, kept cheap so that the server under test saturates
// first: requests are signed before the timed window (each with its own nonce, seq and a time
// the hub accepts), then sent over undici keep-alive connections, one request in flight per
// connection. Whatever the pre-signed stock does not cover is signed on the fly and counted.
import { Pool } from 'undici'
import { HubPath } from '@outpost/protocol'
import { agentHeaders, type SimulatedAgent } from '@outpost/testkit'
import { LatencyRecorder } from './load-stats.ts'

/** 40 metric names shaped like a real agent's status report. */
export const METRIC_NAMES: readonly string[] = [
  'load.1m', 'load.5m', 'load.15m', 'cpu.util_pct', 'cpu.user_pct', 'cpu.system_pct', 'cpu.iowait_pct', 'mem.used_bytes', 'mem.used_pct', 'swap.used_bytes',
  'swap.used_pct', 'swap.in_bps', 'swap.out_bps', 'system.uptime_s', 'proc.count', ...['/', '/var', '/home', '/boot'].flatMap((m) => [`fs.used_bytes[${m}]`, `fs.used_pct[${m}]`, `fs.free_bytes[${m}]`]),
  ...['sda', 'sdb'].flatMap((d) => [`disk.read_bps[${d}]`, `disk.write_bps[${d}]`]),
  ...['eth0', 'eth1', 'lo'].flatMap((i) => [`net.rx_bps[${i}]`, `net.tx_bps[${i}]`, `net.rx_errors[${i}]`])
].slice(0, 40)

/** One signed request, ready to send. */
export interface SignedReport {
  readonly seq: number
  readonly body: Buffer
  readonly headers: Record<string, string>
}

/** Makes signed reports, round-robin over the agents, with a per-agent sequence that never repeats. */
export class ReportSigner {
  readonly #agents: readonly SimulatedAgent[]
  readonly #seqs = new Map<string, number>()
  #next = 0

  constructor (agents: readonly SimulatedAgent[]) {
    this.#agents = agents
  }

  /** The next report, signed now. */
  sign (): SignedReport {
    const agent = this.#agents[this.#next++ % this.#agents.length] as SimulatedAgent
    const seq = (this.#seqs.get(agent.agentId) ?? 0) + 1
    this.#seqs.set(agent.agentId, seq)
    const body = Buffer.from(JSON.stringify({ type: 'report', seq, time: Date.now(), metrics: METRIC_NAMES.map((name) => ({ name, value: healthyValue() })) }))
    return { seq, body, headers: agentHeaders(agent, body) }
  }

  /** `count` reports signed now. */
  stock (count: number): SignedReport[] {
    return Array.from({ length: count }, () => this.sign())
  }
}

/** What one timed round measured. */
export interface RoundResult {
  readonly target: string
  readonly reports: number
  readonly seconds: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
  readonly serverCpu: number
  readonly loaderCpu: number
  /** Requests the stock did not cover, signed inside the timed window. */
  readonly signedLive: number
}

/** How to run one round. */
export interface RoundOptions {
  readonly target: string
  readonly baseUrl: string
  readonly connections: number
  readonly seconds: number
  readonly warmupMs: number
  /** CPU seconds the server process has used so far. */
  readonly serverCpu: () => number
}

/** Sends `stock` (then freshly signed reports) for warm-up plus `seconds`, measuring after the warm-up. */
export async function runRound (o: RoundOptions, stock: SignedReport[], signer: ReportSigner): Promise<RoundResult> {
  const pool = new Pool(o.baseUrl, { connections: o.connections, pipelining: 1, connect: { rejectUnauthorized: false }, keepAliveTimeout: 60_000 })
  const latencies = new LatencyRecorder()
  let errors = 0
  let taken = 0
  let signedLive = 0
  const start = performance.now()
  const measureFrom = start + o.warmupMs
  const end = measureFrom + o.seconds * 1000
  let cpu0 = o.serverCpu()
  let loader0 = process.cpuUsage()
  setTimeout(() => { cpu0 = o.serverCpu(); loader0 = process.cpuUsage() }, o.warmupMs).unref()
  const next = (): SignedReport => {
    const r = stock[taken++]
    if (r !== undefined) return r
    signedLive++
    return signer.sign()
  }
  try {
    await Promise.all(Array.from({ length: o.connections }, async () => {
      // Bounded by the clock: each pass sends one request and ends once `end` is past.
      while (performance.now() < end) {
        const r = next()
        const t0 = performance.now()
        const res = await pool.request({ path: HubPath.AgentMessages, method: 'POST', headers: r.headers, body: r.body })
        const text = await res.body.text()
        const t1 = performance.now()
        const ok = res.statusCode === 200 && (JSON.parse(text) as { accepted: number[] }).accepted.includes(r.seq)
        if (!ok) errors++
        if (t0 >= measureFrom && t1 <= end) latencies.add(t1 - t0)
      }
    }))
    const loader = process.cpuUsage(loader0)
    const elapsed = (performance.now() - measureFrom) / 1000
    return {
      target: o.target, reports: latencies.count, seconds: o.seconds, p50: latencies.quantile(0.5), p99: latencies.quantile(0.99), errors,
      serverCpu: (o.serverCpu() - cpu0) / elapsed, loaderCpu: (loader.user + loader.system) / 1e6 / elapsed, signedLive
    }
  } finally {
    stock.length = 0
    await pool.close()
  }
}

/**
 * A value between 10 and 60: what a healthy host reports. Uniform 0–100 values would cross the
 * hub's default alert rules (filesystem ≥ 90 %, memory ≥ 95 %) in one report out of ten and make
 * the benchmark measure alert churn instead of ingest.
 */
function healthyValue (): number {
  return Math.round((10 + Math.random() * 50) * 100) / 100
}
