import type { NotifyOutcome } from './notification.ts'

/** One `notify()` call waiting for the deliveries that carry it. */
export interface Settlement {
  /** Resolves once every delivery carrying the notification settled; never rejects. */
  readonly done: Promise<NotifyOutcome>
}

interface Pending extends Settlement {
  /** Deliveries not settled yet, plus one hold while `notify()` is still placing them. */
  remaining: number
  released: boolean
  readonly deliveries: Set<string>
  readonly resolve: (o: NotifyOutcome) => void
}

/**
 * Which notifications each delivery carries, so a notification settles when its last delivery
 * does. A grouped mail carries several notifications; one notification may be in several
 * deliveries (one per recipient and webhook). `released` wins over `settled`: the caller must
 * keep the notification to be sent again.
 */
export class Settlements {
  readonly #byDelivery = new Map<string, Set<Pending>>()

  /** Starts tracking a notification; `end(s)` must follow once its deliveries are placed. */
  begin (): Settlement {
    let resolve!: (o: NotifyOutcome) => void
    const done = new Promise<NotifyOutcome>((r) => { resolve = r })
    const s: Pending = { done, remaining: 1, released: false, deliveries: new Set(), resolve }
    return s
  }

  /** The notification rides on this delivery (new, or a group it joined). */
  attach (s: Settlement, deliveryId: string): void {
    const p = s as Pending
    if (p.deliveries.has(deliveryId)) return
    p.deliveries.add(deliveryId)
    p.remaining++
    let set = this.#byDelivery.get(deliveryId)
    if (set === undefined) this.#byDelivery.set(deliveryId, set = new Set())
    set.add(p)
  }

  /** One target could not take the notification now (queue full, notifier closed). */
  release (s: Settlement): void {
    (s as Pending).released = true
  }

  /** All deliveries are placed: drops the hold taken by `begin`. */
  end (s: Settlement): void {
    this.#step(s as Pending, 'settled')
  }

  /** A delivery settled: each notification it carried is one delivery nearer to done. */
  settle (deliveryId: string, outcome: NotifyOutcome): void {
    const set = this.#byDelivery.get(deliveryId)
    if (set === undefined) return
    this.#byDelivery.delete(deliveryId)
    for (const p of set) this.#step(p, outcome)
  }

  /** Deliveries still carrying someone's notification (for tests and diagnostics). */
  get size (): number {
    return this.#byDelivery.size
  }

  #step (p: Pending, outcome: NotifyOutcome): void {
    if (outcome === 'released') p.released = true
    if (--p.remaining === 0) p.resolve(p.released ? 'released' : 'settled')
  }
}
