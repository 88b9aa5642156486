import type { Logger } from 'pino'
import { MAX_RELAY_REFUSAL_EVENTS, RELAY_REFUSED_EVENT, type AgentEvent, type LinkInfo } from '@outpost/protocol'
import type { IngestReport, Store } from '../store/store.ts'
import type { AuditLog } from '../audit/audit-log.ts'

/** Most agents one replica remembers a written link or audited report of; past it the oldest are forgotten. */
export const MAX_REMEMBERED_AGENTS = 50_000

/**
 * An unchanged link is written again after this long anyway: another replica may have written a
 * different one meanwhile (the agent reported through it), which this replica's memory cannot know.
 */
export const LINK_REFRESH_MS = 10 * 60_000

/** Batches waiting at most; past it one is skipped (and logged): the next report of each agent says it again. */
export const MAX_QUEUED_BATCHES = 10_000

/** The audit action of a CONNECT a relay refused (the agent event's own name). */
export const RELAY_REFUSED_ACTION = RELAY_REFUSED_EVENT

/**
 * Records what committed reports say about the relay topology: a relay's report (each one: its
 * counters move every interval), an agent's link (only when it differs from what this replica
 * last wrote, so that 20,000 agents reporting an unchanged link cost no write), and one audit
 * entry per `relay.refused` event (the relay is the actor and the target, the event the
 * details). Runs after the commit, in commit order, off the agents' requests; a failure is
 * logged and the next report tries again.
 */
export class TopologyRecorder {
  readonly #d: { store: Store, audit: AuditLog, log: Logger }
  /** agent id → the link this replica last wrote (as JSON) and when; insertion order is age. */
  readonly #links = new Map<string, { readonly doc: string, readonly at: number }>()
  /** agent id → the highest report seq whose refusals were audited: a report stored again is not audited twice. */
  readonly #audited = new Map<string, number>()
  #work: Promise<void> = Promise.resolve()
  #queued = 0

  constructor (d: { store: Store, audit: AuditLog, log: Logger }) {
    this.#d = d
  }

  /** Reports were committed (see `IngestService.onCommitted`). */
  onReports (reports: readonly IngestReport[]): void {
    if (!reports.some((r) => r.link !== undefined || r.relay !== undefined || r.events.some(isRefusal))) return
    if (this.#queued >= MAX_QUEUED_BATCHES) {
      this.#d.log.warn({ queued: this.#queued, reports: reports.length }, 'relay topology skipped: too many batches waiting')
      return
    }
    this.#queued++
    this.#work = this.#work.then(() => this.#record(reports)).catch((err: unknown) => {
      this.#d.log.error({ err }, 'relay topology not recorded')
    }).finally(() => { this.#queued-- })
  }

  async #record (reports: readonly IngestReport[]): Promise<void> {
    // The newest of each agent's reports in the batch wins: older ones carry nothing it does not.
    const latest = new Map<string, IngestReport>()
    for (const r of reports) {
      const prev = latest.get(r.agentId)
      if (prev === undefined || r.seq > prev.seq) latest.set(r.agentId, r)
      await this.#refusals(r)
    }
    for (const r of latest.values()) {
      if (r.relay !== undefined) await this.#d.store.topology.recordRelay(r.agentId, r.relay, r.receivedAt)
      if (r.link !== undefined) await this.#link(r.agentId, r.link, r.receivedAt)
    }
  }

  async #link (agentId: string, link: LinkInfo, at: number): Promise<void> {
    const doc = JSON.stringify([link.kind, link.label, link.index])
    const last = this.#links.get(agentId)
    if (last !== undefined && last.doc === doc && at - last.at < LINK_REFRESH_MS) return
    await this.#d.store.topology.recordLink(agentId, link, at)
    this.#links.delete(agentId)
    this.#links.set(agentId, { doc, at })
    if (this.#links.size > MAX_REMEMBERED_AGENTS) {
      const oldest = this.#links.keys().next()
      if (oldest.done !== true) this.#links.delete(oldest.value)
    }
  }

  async #refusals (r: IngestReport): Promise<void> {
    // A relay sends at most this many per report; one that sends more gets no more audit rows for it.
    const refused = r.events.filter(isRefusal).slice(0, MAX_RELAY_REFUSAL_EVENTS)
    if (refused.length === 0) return
    const done = this.#audited.get(r.agentId)
    if (done !== undefined && r.seq <= done) return
    this.#audited.delete(r.agentId)
    this.#audited.set(r.agentId, r.seq)
    if (this.#audited.size > MAX_REMEMBERED_AGENTS) {
      const oldest = this.#audited.keys().next()
      if (oldest.done !== true) this.#audited.delete(oldest.value)
    }
    for (const e of refused) {
      await this.#d.audit.record({
        actor: `agent:${r.agentId}`,
        action: RELAY_REFUSED_ACTION,
        target: `host:${r.agentId}`,
        result: 'denied',
        detail: { message: e.message, severity: e.severity, time: new Date(e.time).toISOString() }
      })
    }
  }
}

function isRefusal (e: AgentEvent): boolean {
  return e.name === RELAY_REFUSED_EVENT
}
