import type { Logger } from 'pino'
import type { LiveEvent, PresenceEntry } from '@outpost/protocol'
import type { Bus } from '../bus/bus.ts'
import { BusSubject } from '../bus/bus.ts'
import type { ConsoleStore } from '../store/console-store.ts'
import { SESSION_IDLE_MS } from '../auth/session-service.ts'

/** How often ended sessions are swept (and presence re-published when some were). */
export const PRESENCE_SWEEP_MS = 60_000

/**
 * Who is logged in to the console and which host each has open, computed from the sessions in
 * the store (so every replica agrees) and published on the bus as a `presence` live event
 * whenever it changes.
 */
export class PresenceService {
  readonly #store: ConsoleStore
  readonly #bus: Bus
  readonly #now: () => number
  readonly #log: Logger

  constructor (d: { store: ConsoleStore, bus: Bus, now: () => number, log: Logger, closing: AbortSignal }) {
    this.#store = d.store
    this.#bus = d.bus
    this.#now = d.now
    this.#log = d.log
    const sweeper = setInterval(() => { void this.sweep() }, PRESENCE_SWEEP_MS)
    sweeper.unref()
    d.closing.addEventListener('abort', () => { clearInterval(sweeper) }, { once: true })
  }

  /** One entry per user with a live session, by login time: since their first session, and the host of the most recent one that has a host open. */
  async list (): Promise<PresenceEntry[]> {
    const sessions = await this.#store.listLiveSessions(this.#now(), SESSION_IDLE_MS)
    const byUser = new Map<string, { since: number, viewing: string | null, seen: number }>()
    for (const s of sessions) {
      const e = byUser.get(s.userName) ?? { since: s.createdAt, viewing: null, seen: -1 }
      e.since = Math.min(e.since, s.createdAt)
      if (s.viewingHostId !== null && s.lastSeenAt > e.seen) {
        e.viewing = s.viewingHostId
        e.seen = s.lastSeenAt
      }
      byUser.set(s.userName, e)
    }
    return [...byUser].map(([user, e]) => ({ user, since: new Date(e.since).toISOString(), viewingHostId: e.viewing }))
  }

  /** Records the host the session's operator has open (null: none) and publishes presence. */
  async setViewing (tokenHash: string, hostId: string | null): Promise<boolean> {
    const ok = await this.#store.setViewing(tokenHash, hostId, this.#now())
    if (ok) await this.publish()
    return ok
  }

  /** Publishes the current presence as a live event. */
  async publish (): Promise<void> {
    const event: LiveEvent = { type: 'presence', presence: await this.list() }
    this.#bus.publish(BusSubject.live, event)
  }

  /** Like `publish`, for callers that must not wait or fail: a failure is logged. */
  publishSoon (): void {
    this.publish().catch((err: unknown) => { this.#log.error({ err }, 'publishing presence failed') })
  }

  /** Deletes ended sessions; publishes presence when there were any. */
  async sweep (): Promise<void> {
    try {
      if (await this.#store.deleteDeadSessions(this.#now(), SESSION_IDLE_MS) > 0) await this.publish()
    } catch (err) {
      this.#log.error({ err }, 'sweeping console sessions failed')
    }
  }
}
