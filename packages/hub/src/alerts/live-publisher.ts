import type { Alert, LiveEvent } from '@outpost/protocol'
import type { Logger } from 'pino'
import { BusSubject, type Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import { hostSummary } from '../http/api-views.ts'
import { loadPaths } from '../topology/host-paths.ts'
import { DelayedFlush } from '../console/delayed-flush.ts'

/** A host's `host` event goes out at most once per this many milliseconds. */
export const HOST_EVENT_INTERVAL_MS = 1000

/**
 * Publishes console live events on the bus (`BusSubject.live`): an `alert` event at once on
 * every transition, and `host` events gathered per second, so that a host reporting every
 * second (or many hosts at once) cost one summary each per second.
 */
export class LivePublisher {
  readonly #d: { bus: Bus, store: Store, now: () => number, intervalMs: number, log: Logger }
  readonly #changed = new Set<string>()
  readonly #flusher = new DelayedFlush(HOST_EVENT_INTERVAL_MS, () => this.#flush())

  constructor (d: { bus: Bus, store: Store, now: () => number, intervalMs: number, log: Logger }) {
    this.#d = d
  }

  /** An alert changed. */
  alert (alert: Alert): void {
    this.#publish({ type: 'alert', alert })
  }

  /** A host reported, went offline or its open alerts changed: its summary goes out within a second. */
  hostChanged (hostId: string): void {
    if (this.#flusher.closed) return
    this.#changed.add(hostId)
    this.#flusher.schedule()
  }

  /** Stops publishing host events; waits for one in progress. */
  close (): Promise<void> {
    return this.#flusher.close()
  }

  async #flush (): Promise<void> {
    const ids = [...this.#changed]
    this.#changed.clear()
    try {
      const counts = await this.#d.store.alerts.openCounts()
      const agents = await this.#d.store.listHostSummaries(ids)
      const paths = await loadPaths(this.#d.store, agents)
      const now = this.#d.now()
      for (const a of agents) {
        this.#publish({ type: 'host', host: hostSummary(a, now, this.#d.intervalMs, counts.get(a.id), paths.via(a.id)) })
      }
    } catch (err) {
      this.#d.log.warn({ err, hosts: ids.length }, 'host live events not published')
    }
  }

  #publish (e: LiveEvent): void {
    this.#d.bus.publish(BusSubject.live, e)
  }
}
