import type { Logger } from 'pino'
import type { AlertStore } from '../store/alert-store.ts'
import type { AlertNotification, NotifyOutcome } from '../notify/notification.ts'

/** A claimed notification whose replica died is claimed again after this long. */
export const NOTIFICATION_LEASE_MS = 60_000
/** A lease still in delivery is renewed once this old: two renewals may fail before it lapses. */
export const LEASE_RENEW_MS = NOTIFICATION_LEASE_MS / 3
/** Notifications being delivered at most; claiming pauses above (each holds one outbox row). */
export const MAX_NOTIFICATIONS_IN_FLIGHT = 10_000
/** Notifications claimed per query. */
const CLAIM_BATCH = 100
/** Claims per drain at most (bounds one pass; the next kick or sweep goes on). */
const MAX_CLAIMS = 50

/** The part of the notifier the engine uses. */
export interface AlertNotifier {
  /** Queues `n`; resolves (never rejects) once every delivery made from it settled. */
  notify (n: AlertNotification): Promise<NotifyOutcome>
}

/**
 * Hands the notification outbox to the notifier. A transition writes its notification in its own
 * transaction; `kick()` then drains at once (critical alerts reach the notifier within
 * milliseconds), and every sweep drains what a crashed replica left behind. A row leaves the
 * outbox only once its notification settled (delivered, or given up for good); meanwhile its
 * lease is renewed on each pass, so no replica sends it again. A crash leaves the row to be
 * claimed again once its lease lapses: delivery is at least once.
 */
export class NotificationDrain {
  readonly #store: AlertStore
  readonly #notifier: AlertNotifier
  readonly #now: () => number
  readonly #log: Logger
  /** Rows being delivered by this process → when their lease was last set (hub clock). */
  readonly #inFlight = new Map<string, number>()
  /** Rows whose notification settled, to delete (kept here while deleting fails). */
  readonly #settled = new Set<string>()
  /** Rows cut short by the shutdown, to give back at `close()`. */
  readonly #released = new Set<string>()
  #running: Promise<void> | undefined
  #again = false
  #stopped = false
  #closed = false

  constructor (d: { store: AlertStore, notifier: AlertNotifier, now: () => number, log: Logger }) {
    this.#store = d.store
    this.#notifier = d.notifier
    this.#now = d.now
    this.#log = d.log
  }

  /** Notifications handed to the notifier and not settled yet. */
  get inFlight (): number {
    return this.#inFlight.size
  }

  /** Drains soon; coalesces calls made while a drain runs into one more pass. */
  kick (): void {
    if (this.#closed) return
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

  /** Claims nothing more (the hub is closing); what settles still leaves the outbox. */
  stop (): void {
    this.#stopped = true
  }

  /**
   * Once the notifier closed: deletes the rows of what settled meanwhile and gives back the
   * claims of the rest, so the next start (or another replica) sends them at once instead of
   * after the lease.
   */
  async close (): Promise<void> {
    this.#stopped = true
    await this.idle()
    this.#closed = true
    await this.#deleteSettled()
    const unsent = [...new Set([...this.#inFlight.keys(), ...this.#released])]
    this.#inFlight.clear()
    this.#released.clear()
    if (unsent.length === 0) return
    await this.#store.releaseNotifications(unsent)
    this.#log.info({ notifications: unsent.length }, 'undelivered notifications left in the outbox for the next start')
  }

  async #loop (): Promise<void> {
    do {
      this.#again = false
      try {
        await this.#pass()
      } catch (err) {
        // Left in the outbox (and in this process' sets): the next kick or sweep goes on.
        this.#log.error({ err }, 'draining alert notifications failed')
        return
      }
    } while (this.#again)
  }

  async #pass (): Promise<void> {
    await this.#deleteSettled()
    await this.#renew()
    if (this.#stopped) return
    for (let i = 0; i < MAX_CLAIMS; i++) {
      const room = MAX_NOTIFICATIONS_IN_FLIGHT - this.#inFlight.size
      if (room <= 0) return
      const limit = Math.min(CLAIM_BATCH, room)
      const now = this.#now()
      const batch = await this.#store.claimNotifications(now, now - NOTIFICATION_LEASE_MS, limit)
      for (const n of batch) {
        // Already ours (its lease lapsed while renewing failed): the claim renewed it; never sent twice here.
        if (this.#inFlight.has(n.id)) this.#inFlight.set(n.id, now)
        if (this.#inFlight.has(n.id) || this.#settled.has(n.id)) continue
        this.#inFlight.set(n.id, now)
        // Written by the engine from a validated rule and a built Alert: the notifier's own shape.
        this.#notifier.notify(n.payload as AlertNotification).then(
          (outcome) => { this.#finish(n.id, outcome) },
          (err: unknown) => {
            this.#log.error({ err, notification: n.id }, 'notifying failed; the notification is sent again after its lease')
            this.#finish(n.id, 'released')
          })
      }
      if (batch.length < limit) return
    }
  }

  #finish (id: string, outcome: NotifyOutcome): void {
    if (this.#closed || !this.#inFlight.delete(id)) return
    if (outcome === 'settled') {
      this.#settled.add(id)
      this.kick()
    } else if (this.#stopped) {
      this.#released.add(id)
    }
    // Released while running (queue full): the row keeps its lease and is claimed again after it.
  }

  async #deleteSettled (): Promise<void> {
    for (const id of [...this.#settled]) {
      await this.#store.deleteNotification(id)
      this.#settled.delete(id)
    }
  }

  async #renew (): Promise<void> {
    const now = this.#now()
    const due: string[] = []
    for (const [id, at] of this.#inFlight) if (now - at >= LEASE_RENEW_MS) due.push(id)
    if (due.length === 0) return
    const renewed = await this.#store.renewNotificationLeases(due, now)
    for (const id of due) if (this.#inFlight.has(id)) this.#inFlight.set(id, now)
    this.#log.debug({ asked: due.length, renewed }, 'notification leases renewed')
  }
}
