// One lightweight simulated agent for load benchmarks: a real enrolled identity that speaks the
// real protocol through the agent's own transport code (pinned TLS, upstream list with signed
// relay CONNECTs and failover, WebSocket with POST fallback, signed requests). It does not
// collect, spool to disk or run anything: it sends a synthetic status report at the configured
// interval (jittered like the agent's) and answers each instruction with a "completed" result.
import { setTimeout as delay } from 'node:timers/promises'
import { signRelayConnect, type ReplyEnvelope, type SpooledMessage } from '@outpost/protocol'
import {
  AgentErrorCode, AutoTransport, Backoff, PinnedAgent, retryDelay, TopologyNudge, UpstreamSelector, parseUpstream, type AgentState, type TransportMode, type UpstreamSigner
} from '@outpost/agent'
import { METRIC_NAMES } from './signed-load.ts'

/** How a simulated agent runs. */
export interface SimAgentOptions {
  /** Ordered `--upstream` list (relay://…, https://…); empty: straight to the enrolled hub. */
  readonly upstreams: readonly string[]
  readonly intervalMs: number
  /** Fraction, like the agent's `jitter`. */
  readonly jitter: number
  /** Delay before the first report: spreads a fleet's start. */
  readonly firstReportMs: number
  readonly transport: TransportMode
  readonly pollWaitMs: number
  readonly upstreamRetryMs: number
  readonly backoff: { readonly minMs: number, readonly maxMs: number }
  /** Dial this URL instead of the enrolled hub's (same certificate pin), e.g. a baseline server. */
  readonly hubUrl?: string
  /** Wait this long before dialling at all: ramps a fleet up instead of a thundering start. */
  readonly startAfterMs?: number
}

/** Metrics of a report: the first 30 names of the ingest benchmark's set. */
const METRICS = METRIC_NAMES.slice(0, 30)
/** Most acknowledgement times kept per agent (for failover timing). */
const MAX_ACKS = 64

/** The status snapshot a small server sends with each report (20 processes, 6 listening ports). */
function snapshot (): NonNullable<Extract<SpooledMessage, { type: 'report' }>['status']> {
  return {
    processes: Array.from({ length: 20 }, (_, i) => ({ pid: 100 + i, name: `proc-${i}`, user: i % 3 === 0 ? 'root' : 'www-data', cpuPct: Math.round(Math.random() * 500) / 100, memBytes: 1_000_000 * (i + 1), command: `/usr/sbin/proc-${i} --config /etc/proc-${i}.conf` })),
    listeningPorts: [22, 80, 443, 5432, 6379, 9100].map((port) => ({ protocol: 'tcp', address: '0.0.0.0', port, process: `proc-${port % 20}` }))
  }
}

/** A value between 10 and 60 (see signed-load.ts: no alert churn). */
function healthyValue (): number {
  return Math.round((10 + Math.random() * 50) * 100) / 100
}

function jittered (intervalMs: number, jitter: number): number {
  return Math.max(1, Math.round(intervalMs * (1 + jitter * (2 * Math.random() - 1))))
}

/** One acknowledgement: when it came, and when the oldest message it acknowledged was made (ms). */
export interface SimAck { readonly at: number, readonly made: number }

/** What a simulated agent has done so far. */
export interface SimAgentCounters {
  reportsSent: number
  reportsAcked: number
  sendErrors: number
  pollErrors: number
  instructions: number
  /** Failed sends and polls by kind (see `errorKind`): `throttled` is a 429/503 with Retry-After. */
  errorKinds: Record<string, number>
}

/** A short class of a transport failure, for counting: `throttled`, `ECONNREFUSED`, `http 502`, … */
export function errorKind (err: unknown): string {
  const e = err as { code?: unknown, message?: unknown }
  if (e.code === AgentErrorCode.Throttled) return 'throttled'
  const msg = String(e.message ?? err)
  const m = /E[A-Z]{3,}|Unexpected server response: \d+|closed \(\d+|HTTP \d+|took longer|within \d+ ms|hub refused: [A-Z_]+/.exec(msg)
  return m === null ? msg.slice(0, 60) : m[0]
}

export class SimAgent {
  readonly state: AgentState
  readonly counters: SimAgentCounters = { reportsSent: 0, reportsAcked: 0, sendErrors: 0, pollErrors: 0, instructions: 0, errorKinds: {} }
  /** The latest acknowledgements, oldest first: when (wall clock ms), and when the oldest message they acknowledged was made. */
  readonly acks: SimAck[] = []
  readonly #opts: SimAgentOptions
  readonly #abort = new AbortController()
  readonly #selector: UpstreamSelector | null
  readonly #pinned: PinnedAgent
  readonly #transport: AutoTransport
  readonly #queue: SpooledMessage[] = []
  #seq: number
  #wake: (() => void) | undefined
  #loops: Promise<void>[] = []
  /** Like the real agent: a report soon after a failover (see the agent's TopologyNudge). */
  readonly #nudge = new TopologyNudge(() => { this.#report() })

  /** `seq0`: the last sequence number this identity used (a restarted agent continues after it). */
  constructor (state: AgentState, opts: SimAgentOptions, seq0 = 0) {
    this.state = state
    this.#opts = opts
    this.#seq = seq0
    const sign: UpstreamSigner = (p) => ({ agentId: state.agentId, signature: signRelayConnect(state.keyPair.privateKey, { ...p, agentId: state.agentId }) })
    const onSwitch = (_u: unknown, index: number): void => { this.#nudge.upstreamSwitched(index) }
    this.#selector = opts.upstreams.length === 0 ? null : new UpstreamSelector({ upstreams: opts.upstreams.map(parseUpstream), sign, retryMs: opts.upstreamRetryMs, onSwitch })
    this.#pinned = new PinnedAgent({ fingerprint: state.fingerprint, upstreams: this.#selector })
    this.#transport = new AutoTransport(
      { hubUrl: opts.hubUrl ?? state.hubUrl, agentId: state.agentId, privateKey: state.keyPair.privateKey, agent: this.#pinned },
      { mode: opts.transport, backoff: opts.backoff }
    )
  }

  get seq (): number { return this.#seq }
  /** Index of the upstream in use (-1 direct or none yet). */
  get upstream (): number { return this.#selector?.current ?? -1 }
  get kind (): string { return this.#transport.kind }

  start (): void {
    const signal = this.#abort.signal
    const after = this.#opts.startAfterMs ?? 0
    const begin = after <= 0 ? Promise.resolve(true) : delay(after, true, { signal }).catch(() => false)
    this.#loops = [
      begin.then((go) => go ? this.#reportLoop(signal) : undefined),
      begin.then((go) => go ? this.#sendLoop(signal) : undefined),
      begin.then((go) => go ? this.#instructionLoop(signal) : undefined)
    ]
  }

  #failed (err: unknown): void {
    const k = errorKind(err)
    this.counters.errorKinds[k] = (this.counters.errorKinds[k] ?? 0) + 1
  }

  async stop (): Promise<void> {
    this.#nudge.close()
    this.#abort.abort()
    this.#wake?.()
    await Promise.all(this.#loops)
    await this.#transport.close()
    this.#selector?.close()
    this.#pinned.destroy()
  }

  async #reportLoop (signal: AbortSignal): Promise<void> {
    let wait = this.#opts.firstReportMs
    // Bounded by the abort signal; the count only guards against a zero interval.
    for (let i = 0; i < 10_000_000 && !signal.aborted; i++) {
      try {
        await delay(wait, undefined, { signal })
      } catch {
        return
      }
      this.#report()
      wait = jittered(this.#opts.intervalMs, this.#opts.jitter)
    }
  }

  #report (): void {
    if (this.#abort.signal.aborted) return
    this.#queue.push({ type: 'report', seq: ++this.#seq, time: Date.now(), metrics: METRICS.map((name) => ({ name, value: healthyValue() })), status: snapshot() })
    this.counters.reportsSent++
    this.#wake?.()
  }

  /** Sends what is queued, oldest first, and forgets only what the hub acknowledged (like the spool). */
  async #sendLoop (signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.#opts.backoff)
    while (!signal.aborted) {
      if (this.#queue.length === 0) {
        await new Promise<void>((resolve) => { this.#wake = resolve })
        this.#wake = undefined
        continue
      }
      const batch = this.#queue.slice(0, 100)
      let reply: ReplyEnvelope
      try {
        reply = await this.#transport.send(batch, signal)
      } catch (err) {
        if (signal.aborted) return
        this.counters.sendErrors++
        this.#failed(err)
        await delay(retryDelay(backoff, err), undefined, { signal }).catch(() => {})
        continue
      }
      backoff.reset()
      const accepted = new Set(reply.accepted)
      const before = this.#queue.length
      for (let i = this.#queue.length - 1; i >= 0; i--) if (accepted.has(this.#queue[i]!.seq)) this.#queue.splice(i, 1)
      const reports = batch.filter((m) => m.type === 'report' && accepted.has(m.seq)).length
      this.counters.reportsAcked += reports
      if (before > this.#queue.length) {
        this.acks.push({ at: Date.now(), made: Math.min(...batch.filter((m) => accepted.has(m.seq)).map((m) => m.time)) })
        if (this.acks.length > MAX_ACKS) this.acks.shift()
      }
      this.#answer(reply.instructions)
    }
  }

  async #instructionLoop (signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.#opts.backoff)
    while (!signal.aborted) {
      try {
        const reply = await this.#transport.awaitInstructions(this.#opts.pollWaitMs, signal)
        backoff.reset()
        this.#answer(reply.instructions)
      } catch (err) {
        if (signal.aborted) return
        this.counters.pollErrors++
        this.#failed(err)
        await delay(retryDelay(backoff, err), undefined, { signal }).catch(() => {})
      }
    }
  }

  /** A simulated agent runs nothing: each instruction gets a "completed" result at once. */
  #answer (instructions: readonly unknown[]): void {
    for (const raw of instructions) {
      const id = (raw as { id?: unknown }).id
      if (typeof id !== 'string') continue
      this.counters.instructions++
      this.#queue.push({ type: 'result', seq: ++this.#seq, time: Date.now(), instructionId: id, outcome: 'completed', exitCode: 0, durationMs: 0 })
    }
    if (instructions.length > 0) this.#wake?.()
  }
}
