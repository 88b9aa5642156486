/** At most this many (rule, host) pairs are held pending; past it the oldest is forgotten. */
export const MAX_PENDING = 100_000

/**
 * Since when each (rule, host) has breached a threshold without firing yet (`forMs`). Kept in
 * memory: a hub restart starts the wait again, which only delays an alert, never invents one.
 */
export class PendingSince {
  readonly #since = new Map<string, number>()

  /** Records a breach at `at` and returns when the breach began. */
  hold (ruleId: string, hostId: string, at: number): number {
    const k = key(ruleId, hostId)
    const since = this.#since.get(k)
    if (since !== undefined) return since
    if (this.#since.size >= MAX_PENDING) {
      const oldest = this.#since.keys().next()
      if (oldest.done !== true) this.#since.delete(oldest.value)
    }
    this.#since.set(k, at)
    return at
  }

  /** The condition no longer holds. */
  clear (ruleId: string, hostId: string): void {
    this.#since.delete(key(ruleId, hostId))
  }

  /** Drops the state of every rule not in `ruleIds`. */
  keepRules (ruleIds: ReadonlySet<string>): void {
    for (const k of this.#since.keys()) if (!ruleIds.has(k.slice(0, k.indexOf('\u0000')))) this.#since.delete(k)
  }
}

function key (ruleId: string, hostId: string): string {
  return `${ruleId}\u0000${hostId}`
}
