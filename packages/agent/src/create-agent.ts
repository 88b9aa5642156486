import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import type { AgentConfig } from './config/agent-config.ts'
import { AgentError, AgentErrorCode } from './errors.ts'
import { InstructionExecutor, type UnsequencedResult } from './executor/instruction-executor.ts'
import { SeenLog } from './executor/seen-log.ts'
import { INSTRUCTION_SKEW_MS } from './executor/verify-instruction.ts'
import { createPathGuard } from './policy/path-guard.ts'
import { loadPolicy } from './policy/load-policy.ts'
import { createHostCollectors, type AgentCollectors } from './runtime/collectors.ts'
import { inventoryPolicy, withPolicyInInventory } from './runtime/policy-inventory.ts'
import { policyFilePaths } from './policy/policy-file-paths.ts'
import { runInstructionLoop } from './runtime/instruction-loop.ts'
import { ReportScheduler, type UnsequencedReport } from './runtime/report-scheduler.ts'
import { SenderLoop } from './runtime/sender-loop.ts'
import { DiskSpool, type SpoolDrop } from './spool/disk-spool.ts'
import { loadAgentState, type AgentState } from './state/agent-state.ts'
import { AutoTransport } from './transport/auto-transport.ts'
import { PinnedAgent } from './transport/pinned-connector.ts'
import { UpstreamSelector, authorityOf } from './transport/upstream-selector.ts'
import { parseRelayListen, upstreamsFor } from './transport/upstream-list.ts'
import { agentSigner } from './transport/upstream-signers.ts'
import { startRelay } from './relay/start-relay.ts'
import { RefusalEvents } from './relay/refusal-events.ts'
import { RelayLoadMeter, currentLink } from './runtime/topology-report.ts'
import { TopologyNudge } from './runtime/topology-nudge.ts'
import type { RelayServer } from './relay/relay-server.ts'
import type { Transport, TransportStatus } from './transport/transport.ts'

/** How long `stop()` keeps trying to send what is spooled. */
export const STOP_FLUSH_MS = 5_000

/** Events an agent emits (typed `EventEmitter`). */
export interface AgentEvents {
  /** Connection health of the transport. */
  status: [TransportStatus]
  /** A message was written to the spool. */
  spooled: [{ readonly seq: number, readonly type: 'report' | 'result' }]
  /** The hub acknowledged these seqs. */
  acked: [readonly number[]]
  /** The spool dropped unacknowledged messages to stay within its bounds. */
  dropped: [SpoolDrop]
  /** An instruction was handled. */
  instruction: [{ readonly id: string, readonly outcome: string, readonly code?: string }]
}

/** Optional collaborators; each has a production default. */
export interface AgentDeps {
  readonly logger?: Logger
  /** A ready transport (e.g. a relay); by default `AutoTransport` over the pinned connector. */
  readonly transport?: Transport
  readonly now?: () => number
  readonly random?: () => number
  readonly collectors?: AgentCollectors
}

/** A running (or not yet started) agent. */
export interface Agent extends EventEmitter<AgentEvents> {
  /** Loads the enrollment, opens spool and logs, starts the scheduler and both loops. */
  start (): Promise<void>
  /** Stops collecting, tries to flush the spool for a few seconds, closes the transport. */
  stop (): Promise<void>
  /** The agent id (after `start()`). */
  readonly agentId: string | undefined
  /** Unacknowledged spooled messages (after `start()`). */
  readonly pending: number
  /** The relay this agent runs for its site (with `relayListen`), once started. */
  readonly relay: { readonly server: RelayServer, readonly address: { host: string, port: number } } | undefined
  /** The ordered upstream list in use (after `start()`), or undefined without one. */
  readonly upstreams: UpstreamSelector | undefined
}

/** Creates an UNSTARTED agent: nothing is read, opened or dialled until `start()`. */
export function createAgent (config: AgentConfig, deps: AgentDeps = {}): Agent {
  return new OutpostAgent(config, deps)
}

class OutpostAgent extends EventEmitter<AgentEvents> implements Agent {
  readonly #config: AgentConfig
  readonly #deps: AgentDeps
  readonly #now: () => number
  #state: AgentState | undefined
  #spool: DiskSpool | undefined
  #seen: SeenLog | undefined
  #pinned: PinnedAgent | undefined
  #upstreams: UpstreamSelector | undefined
  #relay: { readonly server: RelayServer, readonly address: { host: string, port: number } } | undefined
  #relayLoad: RelayLoadMeter | undefined
  /** A status report soon after a failover or a change of what this relay carries. */
  readonly #nudge: TopologyNudge
  #refusals: RefusalEvents | undefined
  #transport: Transport | undefined
  #scheduler: ReportScheduler | undefined
  #sender: SenderLoop | undefined
  #executor: InstructionExecutor | undefined
  #abort: AbortController | undefined
  #loops: Promise<void>[] = []
  readonly #inFlight = new Set<Promise<void>>()
  #started = false

  constructor (config: AgentConfig, deps: AgentDeps) {
    super()
    this.#config = config
    this.#deps = deps
    this.#nudge = new TopologyNudge(() => this.#scheduler?.statusNow(), { random: deps.random })
    this.#now = deps.now ?? Date.now
  }

  get agentId (): string | undefined {
    return this.#state?.agentId
  }

  get relay (): Agent['relay'] { return this.#relay }
  get upstreams (): UpstreamSelector | undefined { return this.#upstreams }

  get pending (): number {
    return this.#spool?.size ?? 0
  }

  async start (): Promise<void> {
    if (this.#started) throw new AgentError(AgentErrorCode.State, 'agent already started')
    this.#started = true
    const log = this.#deps.logger
    // The policy is read before anything else so that a bad one stops the agent at start.
    const policy = loadPolicy(this.#config.policyFile)
    const state = loadAgentState(this.#config.stateDir)
    // The state dir and the policy file are protected under every name: as configured and with
    // symlinks resolved; the hub may read the policy (it is in the inventory), never rewrite it.
    const guard = createPathGuard(policy.protectedPaths, [this.#config.stateDir, fs.realpathSync(this.#config.stateDir), ...policyFilePaths(this.#config.policyFile)])
    this.#state = state
    this.#spool = new DiskSpool(path.join(this.#config.stateDir, 'spool'), {
      maxAgeMs: this.#config.spool.maxAgeMs,
      maxBytes: this.#config.spool.maxBytes,
      now: this.#now,
      onDrop: (d) => {
        log?.warn({ ...d }, `spool dropped ${d.count} unacknowledged message(s) (seq ${d.firstSeq}..${d.lastSeq}) because of its ${d.reason} bound`)
        this.emit('dropped', d)
      },
      onRepair: (file, kept, cut) => log?.warn({ file, kept, cut }, 'spool segment had a torn tail; cut it')
    })
    this.#seen = new SeenLog(path.join(this.#config.stateDir, 'seen-instructions.log'), { skewMs: INSTRUCTION_SKEW_MS, now: this.#now })
    if (this.#deps.transport !== undefined) {
      this.#transport = this.#deps.transport
    } else {
      this.#pinned = new PinnedAgent({ fingerprint: state.fingerprint, proxy: this.#config.proxy, upstreams: this.#selector(state) })
      this.#transport = new AutoTransport(
        { hubUrl: state.hubUrl, agentId: state.agentId, privateKey: state.keyPair.privateKey, agent: this.#pinned, now: this.#now },
        { mode: this.#config.transport, backoff: this.#config.backoff, ...(this.#deps.random === undefined ? {} : { random: this.#deps.random }) }
      )
    }
    this.#transport.onStatus((s) => {
      log?.info({ ...s }, `transport ${s.type}`)
      this.emit('status', s)
    })
    this.#scheduler = new ReportScheduler({
      intervalMs: this.#config.intervalMs,
      jitter: this.#config.jitter,
      thresholdCheckMs: this.#config.thresholdCheckMs,
      thresholds: this.#config.thresholds,
      collectors: withPolicyInInventory(this.#deps.collectors ?? createHostCollectors(), inventoryPolicy(policy, this.#config.policyFile)),
      append: (r) => this.#append(r),
      topology: () => ({
        link: currentLink(this.#upstreams ?? null, state.hubUrl, this.#config.proxy),
        ...(this.#relayLoad === undefined ? {} : { relay: this.#relayLoad.report() })
      }),
      now: this.#now,
      ...(this.#deps.random === undefined ? {} : { random: this.#deps.random }),
      ...(log === undefined ? {} : { logger: log })
    })
    this.#executor = new InstructionExecutor({
      agentId: state.agentId,
      hubKey: state.hubKey,
      seen: this.#seen,
      now: this.#now,
      onReportRequest: (req) => this.#scheduler!.request(req),
      policy,
      guard,
      // Side channels dial the hub directly; an injected transport (a relay) brings none yet.
      ...(this.#pinned === undefined ? {} : { link: { hubUrl: state.hubUrl, agentId: state.agentId, privateKey: state.keyPair.privateKey, agent: this.#pinned, now: this.#now, preferPost: this.#config.transport === 'http' } }),
      ...(log === undefined ? {} : { logger: log })
    })
    if (this.#config.relayListen !== null) {
      const refusals = new RefusalEvents((events) => {
        try {
          this.#append({ type: 'report', time: this.#now(), events })
        } catch (err) {
          // Refusals stay counted in the relay's stats; a spool that cannot take them must not stop the agent.
          log?.warn({ err, events: events.length }, 'could not spool relay refusal events')
        }
      }, this.#config.intervalMs, this.#now)
      this.#refusals = refusals
      this.#relay = await startRelay({
        state, listen: parseRelayListen(this.#config.relayListen, this.#config.relayAny), upstreams: this.#selector(state, true)!, now: this.#now,
        onRefuse: (r) => refusals.add(r),
        onDownstreamChange: () => this.#nudge.nudge(),
        ...(log === undefined ? {} : { logger: log })
      })
      this.#relayLoad = new RelayLoadMeter(this.#relay.server, authorityOf(this.#relay.address.host, this.#relay.address.port))
    }
    const onInstructions = (list: readonly unknown[]): void => this.#dispatch(list)
    this.#sender = new SenderLoop({
      spool: this.#spool,
      transport: this.#transport,
      backoff: this.#config.backoff,
      onInstructions,
      onAcked: (seqs) => this.emit('acked', seqs),
      ...(this.#deps.random === undefined ? {} : { random: this.#deps.random }),
      ...(log === undefined ? {} : { logger: log })
    })
    const abort = new AbortController()
    this.#abort = abort
    log?.info({ agentId: state.agentId, hub: state.hubUrl, pending: this.#spool.size, policyFile: this.#config.policyFile, exec: policy.exec }, 'agent starting')
    this.#loops = [
      this.#sender.run(abort.signal),
      runInstructionLoop({
        transport: this.#transport,
        pollWaitMs: this.#config.pollWaitMs,
        backoff: this.#config.backoff,
        onInstructions,
        ...(this.#deps.random === undefined ? {} : { random: this.#deps.random }),
        ...(log === undefined ? {} : { logger: log })
      }, abort.signal)
    ]
    this.#scheduler.start()
  }

  async stop (): Promise<void> {
    if (this.#abort === undefined || this.#abort.signal.aborted) return
    const log = this.#deps.logger
    try {
      this.#nudge.close()
      await this.#scheduler?.stop()
      this.#refusals?.close()
      // Kill running programs: their results (SIGKILL) are spooled and go out with the flush or the next start.
      const kill = new AbortController()
      this.#killRunning.abort()
      this.#abort.abort()
      await Promise.all(this.#loops)
      await Promise.allSettled([...this.#inFlight])
      try {
        const timer = setTimeout(() => kill.abort(), STOP_FLUSH_MS)
        try {
          const empty = await this.#sender!.flush(kill.signal)
          if (!empty) log?.info({ pending: this.#spool!.size }, 'messages stay in the spool for the next start')
        } finally {
          clearTimeout(timer)
        }
      } catch (err) {
        log?.info({ err, pending: this.#spool!.size }, 'could not flush the spool before stopping; it is kept for the next start')
      }
    } finally {
      // Whatever failed above, nothing may stay open: a half-stopped agent would keep its process alive.
      this.#killRunning.abort()
      this.#abort.abort()
      await this.#relay?.server.close()
      await this.#transport?.close()
      this.#upstreams?.close()
      this.#pinned?.destroy()
      this.#spool?.close()
      this.#seen?.close()
      log?.info('agent stopped')
    }
  }

  readonly #killRunning = new AbortController()

  /**
   * The agent's upstream list, made once: with `--upstream` entries, or for a relay (which
   * always dials through it), else none (the pinned connector's own direct/proxy path).
   */
  #selector (state: AgentState, always = false): UpstreamSelector | null {
    if (this.#upstreams === undefined && (always || this.#config.upstreams.length > 0)) {
      const log = this.#deps.logger
      this.#upstreams = new UpstreamSelector({
        upstreams: upstreamsFor(this.#config.upstreams, state.hubUrl, this.#config.proxy),
        sign: agentSigner(state.agentId, state.keyPair.privateKey),
        retryMs: this.#config.upstreamRetryMs,
        now: this.#now,
        onSwitch: (u, index) => {
          log?.info({ upstream: u.label, index }, `upstream now ${u.label}`)
          this.#nudge.upstreamSwitched(index)
        }
      })
    }
    return this.#upstreams ?? null
  }

  #append (msg: UnsequencedReport | UnsequencedResult): void {
    const spooled = this.#spool!.append(msg)
    this.emit('spooled', { seq: spooled.seq, type: spooled.type })
    this.#sender?.wake()
  }

  #dispatch (list: readonly unknown[]): void {
    for (const raw of list) {
      const p = this.#executor!.handle(raw, this.#killRunning.signal).then((result) => {
        if (result === undefined) return
        this.#append(result)
        this.emit('instruction', { id: result.instructionId, outcome: result.outcome, ...(result.error === undefined ? {} : { code: result.error.code }) })
      }).catch((err: unknown) => {
        this.#deps.logger?.error({ err }, 'instruction handling failed')
      }).finally(() => { this.#inFlight.delete(p) })
      this.#inFlight.add(p)
    }
  }
}
