import type { Logger } from 'pino'
import type { Store } from '../store/store.ts'
import { DelayedFlush } from '../console/delayed-flush.ts'

/** How long a "this agent is here" waits to be written with the others. */
export const LAST_SEEN_FLUSH_MS = 1000

/**
 * Writes agents' `lastSeen` for polls, WebSocket authentications and results-only requests in
 * one transaction a second, instead of one commit (an fsync on SQLite) each: after a hub restart
 * thousands of agents authenticate within seconds, and a commit apiece held the event loop while
 * their TLS handshakes waited. Reports set `lastSeen` in their own group commit. A second's delay
 * is nothing against the offline rule's three intervals.
 */
export class LastSeenWriter {
  readonly #store: Pick<Store, 'touchAgents'>
  readonly #log: Logger
  // Writes run one after another, so an older batch never lands after a newer one.
  readonly #flusher = new DelayedFlush(LAST_SEEN_FLUSH_MS, () => this.#write())
  #pending = new Map<string, number>()

  constructor (store: Pick<Store, 'touchAgents'>, log: Logger) {
    this.#store = store
    this.#log = log
  }

  touch (agentId: string, at: number): void {
    const prev = this.#pending.get(agentId)
    if (prev === undefined || at > prev) this.#pending.set(agentId, at)
    this.#flusher.schedule()
  }

  /** Stops the timer and writes what is pending (the hub is closing). */
  async close (): Promise<void> {
    await this.#flusher.close()
    await this.#write()
  }

  async #write (): Promise<void> {
    const batch = [...this.#pending]
    this.#pending = new Map()
    if (batch.length === 0) return
    try {
      await this.#store.touchAgents(batch)
    } catch (err) {
      this.#log.error({ err, agents: batch.length }, 'writing agents\' last-seen times failed')
    }
  }
}
