import { MAX_RELAY_REFUSAL_EVENTS, RELAY_REFUSED_EVENT, type AgentEvent } from '@outpost/protocol'
import type { RelayRefusal } from './relay-server.ts'

/** Refusals of about one second go out in one report. */
const COALESCE_MS = 1000

/**
 * Turns a relay's refused CONNECTs into `relay.refused` agent events, which the hub audits. A
 * flood of bad CONNECTs must not become a flood of reports: at most `MAX_RELAY_REFUSAL_EVENTS`
 * per interval are sent, one report per second at most; the rest only count in `stats.refused`.
 */
export class RefusalEvents {
  readonly #send: (events: AgentEvent[]) => void
  readonly #now: () => number
  readonly #reset: NodeJS.Timeout
  #pending: AgentEvent[] = []
  #budget = MAX_RELAY_REFUSAL_EVENTS
  #flush: NodeJS.Timeout | undefined
  #closed = false

  constructor (send: (events: AgentEvent[]) => void, intervalMs: number, now: () => number) {
    this.#send = send
    this.#now = now
    this.#reset = setInterval(() => { this.#budget = MAX_RELAY_REFUSAL_EVENTS }, intervalMs)
    this.#reset.unref()
  }

  add (r: RelayRefusal): void {
    if (this.#budget <= 0 || this.#closed) return
    this.#budget--
    const who = r.agentId === undefined ? 'a client without an agent id' : `agent ${r.agentId}`
    const via = r.path === '' ? '' : ` via ${r.path}`
    this.#pending.push({
      name: RELAY_REFUSED_EVENT,
      severity: 'warning',
      message: `refused CONNECT from ${who}${via} to ${r.target ?? '?'} (${r.status}): ${r.reason}`.slice(0, 1024),
      time: this.#now()
    })
    this.#flush ??= setTimeout(() => this.flush(), COALESCE_MS)
  }

  /** Sends what is pending now. */
  flush (): void {
    clearTimeout(this.#flush)
    this.#flush = undefined
    if (this.#pending.length === 0) return
    const events = this.#pending
    this.#pending = []
    this.#send(events)
  }

  /** Sends what is pending and ignores later refusals (the agent is stopping; they stay counted). */
  close (): void {
    clearInterval(this.#reset)
    this.flush()
    this.#closed = true
  }
}
