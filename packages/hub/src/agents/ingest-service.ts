import type { Logger } from 'pino'
import type { IngestReport, Store } from '../store/store.ts'
import { HubError, HubErrorCode } from '../errors.ts'

/** Group-commit tuning, from `config.limits`. */
export interface IngestLimits {
  readonly ingestMaxBatch: number
  readonly ingestMaxDelayMs: number
  readonly ingestMaxPending: number
}

interface Waiter {
  readonly reports: readonly IngestReport[]
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
}

/**
 * Group commit: reports from every request are queued and written together, one
 * `store.ingestReports` transaction at a time. A request's promise resolves only after the commit
 * that holds its reports. Past `ingestMaxPending` queued reports, new ones are refused with
 * `HUB_ERR_OVERLOADED` (503 + Retry-After) instead of growing the queue.
 */
export class IngestService {
  readonly #store: Store
  readonly #limits: IngestLimits
  readonly #log: Logger
  readonly #queue: Waiter[] = []
  #pending = 0
  #committing = false
  #timer: NodeJS.Timeout | undefined
  #idle: Array<() => void> = []
  #closed = false
  readonly #committed: Array<(reports: readonly IngestReport[]) => void> = []

  constructor (store: Store, limits: IngestLimits, log: Logger) {
    this.#store = store
    this.#limits = limits
    this.#log = log
  }

  /** Reports queued and not yet committed. */
  get pending (): number {
    return this.#pending
  }

  /** Stores the reports with others' in one transaction; resolves after that commit. */
  submit (reports: readonly IngestReport[]): Promise<void> {
    if (reports.length === 0) return Promise.resolve()
    if (this.#closed) return Promise.reject(new HubError(HubErrorCode.Unavailable, 'hub is shutting down'))
    if (this.#pending + reports.length > this.#limits.ingestMaxPending) {
      return Promise.reject(new HubError(HubErrorCode.Overloaded, 'hub is busy storing reports; retry later', { details: { pending: this.#pending } }))
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ reports, resolve, reject })
      this.#pending += reports.length
      this.#schedule()
    })
  }

  /**
   * Calls `fn` with every batch right after its commit (before the requests are answered, but
   * outside the transaction): the alert engine evaluates from here. `fn` must not throw or block.
   */
  onCommitted (fn: (reports: readonly IngestReport[]) => void): void {
    this.#committed.push(fn)
  }

  /** Refuses new reports and resolves once every queued one is committed (or failed). */
  async drain (): Promise<void> {
    this.#closed = true
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
      void this.#commitNext()
    }
    if (this.#queue.length === 0 && !this.#committing) return
    await new Promise<void>(resolve => { this.#idle.push(resolve) })
  }

  #schedule (): void {
    if (this.#committing) return
    if (this.#pending >= this.#limits.ingestMaxBatch || this.#limits.ingestMaxDelayMs === 0) {
      if (this.#timer !== undefined) clearTimeout(this.#timer)
      this.#timer = undefined
      void this.#commitNext()
      return
    }
    if (this.#timer !== undefined) return
    // Wait briefly for companions: many small transactions cost more than one larger one.
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#commitNext()
    }, this.#limits.ingestMaxDelayMs)
  }

  async #commitNext (): Promise<void> {
    if (this.#committing) return
    const batch: Waiter[] = []
    let count = 0
    while (this.#queue.length > 0) {
      const next = this.#queue[0]
      if (next === undefined || (count > 0 && count + next.reports.length > this.#limits.ingestMaxBatch)) break
      this.#queue.shift()
      batch.push(next)
      count += next.reports.length
    }
    if (batch.length === 0) return this.#settleIdle()
    this.#committing = true
    try {
      const reports = batch.flatMap(w => w.reports)
      await this.#store.ingestReports(reports)
      for (const fn of this.#committed) fn(reports)
      for (const w of batch) w.resolve()
    } catch (cause) {
      this.#log.error({ err: cause, reports: count }, 'report batch could not be stored')
      const err = new HubError(HubErrorCode.Store, 'reports could not be stored', { cause })
      for (const w of batch) w.reject(err)
    } finally {
      this.#pending -= count
      this.#committing = false
    }
    // Whatever arrived during the commit forms the next group, without further delay.
    if (this.#queue.length > 0) void this.#commitNext()
    else this.#settleIdle()
  }

  #settleIdle (): void {
    if (this.#queue.length > 0 || this.#committing) return
    const idle = this.#idle
    this.#idle = []
    for (const f of idle) f()
  }
}
