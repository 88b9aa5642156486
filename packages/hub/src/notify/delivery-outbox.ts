import type { Delivery } from './notification.ts'

/**
 * Where pending deliveries live between `notify()` and a successful send. The notifier writes
 * every change through this port, so a store-backed implementation (a table keyed by `id`)
 * makes notifications survive a crash; `MemoryOutbox` (the default) does not.
 * Calls may return a promise; the notifier logs a rejection and keeps the delivery in memory.
 */
export interface NotifyOutbox {
  /** Inserts or replaces a delivery (new, regrouped, or rescheduled after a failure). */
  put (d: Delivery): void | Promise<void>
  /** Forgets a delivery: sent, or given up after its last attempt. */
  delete (id: string): void | Promise<void>
  /** Every pending delivery, read once at start to resume after a restart. */
  load (): readonly Delivery[] | Promise<readonly Delivery[]>
}

/** The default outbox: keeps nothing across restarts (see `NotifyOutbox`). */
export class MemoryOutbox implements NotifyOutbox {
  readonly #byId = new Map<string, Delivery>()

  put (d: Delivery): void {
    this.#byId.set(d.id, structuredClone(d))
  }

  delete (id: string): void {
    this.#byId.delete(id)
  }

  load (): readonly Delivery[] {
    return [...this.#byId.values()].map(d => structuredClone(d))
  }

  /** Pending deliveries now (for tests and diagnostics). */
  get size (): number {
    return this.#byId.size
  }
}
