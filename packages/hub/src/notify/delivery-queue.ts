import type { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type { Delivery, NotifyOutcome } from './notification.ts'
import type { NotifyOutbox } from './delivery-outbox.ts'
import { backoffMs, type DeliveryFailure, type RetryPolicy } from './retry-policy.ts'
import { safeTarget, type DeliveryEvent, type NotifierEventMap, type NotifierStats } from './notify-events.ts'

/** What the queue needs. */
export interface DeliveryQueueOptions {
  /** Makes one attempt; resolves with null on success or the failure. */
  readonly send: (d: Delivery) => Promise<DeliveryFailure | null>
  readonly log: Logger
  readonly now: () => number
  readonly retry: RetryPolicy
  readonly events: EventEmitter<NotifierEventMap>
  readonly outbox: NotifyOutbox | null
  readonly maxInFlight: number
  /**
   * Told once per delivery when it leaves the queue: `settled` (delivered, or given up for good)
   * or `released` (unsent at shutdown with attempts left).
   */
  readonly onSettled?: (d: Delivery, outcome: NotifyOutcome) => void
}

/**
 * Pending deliveries, each sent when due, retried with back-off while attempts remain. Every
 * change goes through the outbox port, so a durable outbox makes the queue survive a crash.
 * Never throws at its callers: failures are counted, emitted and logged once.
 */
export class DeliveryQueue {
  readonly #o: DeliveryQueueOptions
  readonly #pending = new Map<string, Delivery>()
  readonly #inFlight = new Set<string>()
  readonly #idle: Array<() => void> = []
  #timer: ReturnType<typeof setTimeout> | undefined
  #timerAt = Infinity
  #immediate: ReturnType<typeof setImmediate> | undefined
  #closing = false
  /** Counters (the notifier adds `refused`). */
  readonly stats: NotifierStats = { pending: 0, inFlight: 0, delivered: 0, retried: 0, failed: 0, refused: 0 }

  constructor (options: DeliveryQueueOptions) {
    this.#o = options
  }

  /** How many deliveries wait (in flight included). */
  get size (): number {
    return this.#pending.size
  }

  /** A pending delivery that is still open for companions, or undefined. */
  openDelivery (id: string): Delivery | undefined {
    const d = this.#pending.get(id)
    return d !== undefined && d.open && !this.#inFlight.has(id) ? d : undefined
  }

  /** Adds (or, after a change such as a new grouped item, re-saves) a delivery and schedules it. */
  put (d: Delivery): void {
    this.#pending.set(d.id, d)
    this.#persist(d)
    this.#schedule(d.dueAt)
  }

  /** Sends everything now, once, then resolves (or after `timeoutMs`, logging what was left). */
  async close (timeoutMs: number): Promise<void> {
    this.#closing = true
    for (const d of this.#pending.values()) {
      d.open = false
      d.dueAt = Math.min(d.dueAt, this.#o.now())
    }
    this.#pump()
    if (this.#pending.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([
        new Promise<void>((resolve) => this.#idle.push(resolve)),
        new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs) })
      ])
      clearTimeout(timer)
    }
    this.#clearTimers()
    if (this.#pending.size > 0) {
      const ids = [...this.#pending.keys()]
      this.stats.failed += ids.length
      this.#o.log.error({ deliveries: ids, kept: this.#o.outbox !== null }, 'notifications not delivered before shutdown')
      for (const d of this.#pending.values()) this.#o.onSettled?.(d, 'released')
      this.#pending.clear()
    }
  }

  #persist (d: Delivery): void {
    const { outbox } = this.#o
    if (outbox === null) return
    this.#guard(() => outbox.put(structuredClone(d)), d, 'saving a notification to the outbox failed')
  }

  #forget (d: Delivery): void {
    const { outbox } = this.#o
    if (outbox === null) return
    this.#guard(() => outbox.delete(d.id), d, 'removing a notification from the outbox failed')
  }

  #guard (op: () => void | Promise<void>, d: Delivery, msg: string): void {
    const report = (err: unknown): void => { this.#o.log.error({ err, delivery: d.id }, msg) }
    try {
      const r = op()
      if (r instanceof Promise) r.catch(report)
    } catch (err) {
      report(err)
    }
  }

  #schedule (dueAt: number): void {
    const now = this.#o.now()
    if (dueAt <= now) {
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined
        this.#pump()
      })
    } else if (dueAt < this.#timerAt) {
      if (this.#timer !== undefined) clearTimeout(this.#timer)
      this.#timerAt = dueAt
      this.#timer = setTimeout(() => {
        this.#timer = undefined
        this.#timerAt = Infinity
        this.#pump()
      }, dueAt - now)
      // Pending mail does not keep a closing process alive: `close()` flushes it explicitly.
      this.#timer.unref?.()
    }
  }

  #clearTimers (): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    if (this.#immediate !== undefined) clearImmediate(this.#immediate)
    this.#timer = undefined
    this.#immediate = undefined
    this.#timerAt = Infinity
  }

  /** Starts every due delivery (up to `maxInFlight`) and arms the timer for the next one. */
  #pump (): void {
    const now = this.#o.now()
    let next = Infinity
    const due: Delivery[] = []
    for (const d of this.#pending.values()) {
      if (this.#inFlight.has(d.id)) continue
      if (d.dueAt > now) next = Math.min(next, d.dueAt)
      else due.push(d)
    }
    // When slots are short, critical alerts go before grouped warnings and retries of old ones.
    if (due.length > this.#o.maxInFlight - this.#inFlight.size) due.sort((a, b) => urgency(b) - urgency(a) || a.dueAt - b.dueAt)
    for (const d of due) {
      if (this.#inFlight.size >= this.#o.maxInFlight) break // a finishing attempt pumps again
      this.#start(d)
    }
    if (next !== Infinity) this.#schedule(next)
    this.#updateStats()
  }

  #start (d: Delivery): void {
    this.#inFlight.add(d.id)
    d.open = false
    d.attempts++
    let attempt: Promise<DeliveryFailure | null>
    try {
      attempt = this.#o.send(d)
    } catch (err) {
      attempt = Promise.reject(err)
    }
    attempt.then(
      (failure) => { this.#settle(d, failure) },
      // A bug in composing the delivery (not the network): not retried, logged by settle.
      (err: unknown) => { this.#settle(d, { retryable: false, error: err instanceof Error ? err : new Error(String(err)) }) }
    )
  }

  #event (d: Delivery, extra: Partial<DeliveryEvent> = {}): DeliveryEvent {
    return { id: d.id, channel: d.channel, target: safeTarget(d.channel, d.target), alertIds: d.items.map(i => i.alert.id), attempts: d.attempts, ...extra }
  }

  #settle (d: Delivery, failure: DeliveryFailure | null): void {
    this.#inFlight.delete(d.id)
    const { log, events } = this.#o
    if (failure === null) {
      this.#pending.delete(d.id)
      this.#forget(d)
      this.stats.delivered++
      if (d.attempts > 1) log.info(this.#event(d), 'notification delivered after retries')
      events.emit('delivered', this.#event(d))
      this.#o.onSettled?.(d, 'settled')
    } else if (failure.retryable && d.attempts < this.#o.retry.maxAttempts && !this.#closing) {
      d.lastError = failure.error.message
      d.dueAt = this.#o.now() + backoffMs(d.attempts, this.#o.retry)
      this.#persist(d)
      this.stats.retried++
      log.debug({ ...this.#event(d), err: failure.error }, 'notification attempt failed; will retry')
      events.emit('retry', this.#event(d, { error: failure.error, nextAttemptAt: d.dueAt }))
    } else {
      this.#pending.delete(d.id)
      d.lastError = failure.error.message
      // At shutdown a durable outbox keeps what may still pass, for the next start.
      const keep = this.#closing && failure.retryable && this.#o.outbox !== null
      if (keep) this.#persist(d)
      else this.#forget(d)
      this.stats.failed++
      log.error({ ...this.#event(d), err: failure.error, retryable: failure.retryable, kept: keep }, 'notification not delivered; giving up')
      events.emit('failed', this.#event(d, { error: failure.error }))
      // Cut short by the shutdown with attempts left: not given up, only not sent by this process.
      const cutShort = this.#closing && failure.retryable && d.attempts < this.#o.retry.maxAttempts
      this.#o.onSettled?.(d, cutShort ? 'released' : 'settled')
    }
    if (this.#pending.size === 0) for (const resolve of this.#idle.splice(0)) resolve()
    this.#pump()
  }

  #updateStats (): void {
    this.stats.pending = this.#pending.size
    this.stats.inFlight = this.#inFlight.size
  }

  /** Loads what a durable outbox kept from before a restart; returns how many. */
  async resume (): Promise<number> {
    if (this.#o.outbox === null) return 0
    const kept = await this.#o.outbox.load()
    for (const d of kept) if (!this.#pending.has(d.id)) this.put({ ...d, open: false })
    return kept.length
  }
}

function urgency (d: Delivery): number {
  return d.items.some(i => i.alert.severity === 'critical') ? 1 : 0
}
