import type { Logger } from 'pino'
import type { AlertStore } from '../store/alert-store.ts'
import type { AlertNotification } from '../notify/notification.ts'

/** A claimed notification whose replica died is claimed again after this long. */
export const NOTIFICATION_LEASE_MS = 60_000
/** Notifications claimed per query. */
const CLAIM_BATCH = 100
/** Claims per drain at most (bounds one pass; the next kick or sweep goes on). */
const MAX_CLAIMS = 50

/** The part of the notifier the engine uses. */
export interface AlertNotifier {
  notify (n: AlertNotification): void
}

/**
 * Hands the notification outbox to the notifier. A transition writes its notification in its own
 * transaction; `kick()` then drains at once (critical alerts reach the notifier within
 * milliseconds), and every sweep drains what a crashed replica left behind.
 */
export class NotificationDrain {
  readonly #store: AlertStore
  readonly #notifier: AlertNotifier
  readonly #now: () => number
  readonly #log: Logger
  #running: Promise<void> | undefined
  #again = false

  constructor (d: { store: AlertStore, notifier: AlertNotifier, now: () => number, log: Logger }) {
    this.#store = d.store
    this.#notifier = d.notifier
    this.#now = d.now
    this.#log = d.log
  }

  /** Drains soon; coalesces calls made while a drain runs into one more pass. */
  kick (): void {
    if (this.#running !== undefined) {
      this.#again = true
      return
    }
    this.#running = this.#loop().finally(() => { this.#running = undefined })
  }

  /** Resolves when no drain is running. */
  async idle (): Promise<void> {
    while (this.#running !== undefined) await this.#running
  }

  async #loop (): Promise<void> {
    do {
      this.#again = false
      try {
        await this.#pass()
      } catch (err) {
        // Left in the outbox: the next sweep claims it again after the lease.
        this.#log.error({ err }, 'draining alert notifications failed')
        return
      }
    } while (this.#again)
  }

  async #pass (): Promise<void> {
    for (let i = 0; i < MAX_CLAIMS; i++) {
      const now = this.#now()
      const batch = await this.#store.claimNotifications(now, now - NOTIFICATION_LEASE_MS, CLAIM_BATCH)
      for (const n of batch) {
        // Written by the engine from a validated rule and a built Alert: the notifier's own shape.
        this.#notifier.notify(n.payload as AlertNotification)
        await this.#store.deleteNotification(n.id)
      }
      if (batch.length < CLAIM_BATCH) return
    }
  }
}
