/** Default number of nonces remembered before the oldest are forgotten. */
export const DEFAULT_REPLAY_CAPACITY = 200_000

/**
 * Remembers request nonces for `windowMs` (twice the allowed clock skew) so that a captured
 * request cannot be sent again. Memory is bounded: when full, the oldest entry is dropped and
 * its request time becomes a floor below which every request is refused, so dropping never
 * reopens a replay.
 */
export class ReplayGuard {
  readonly #windowMs: number
  readonly #capacity: number
  /** key → hub time after which it may be forgotten; insertion order is time order. */
  readonly #seen = new Map<string, { forgetAt: number, requestTime: number }>()
  #floor = -Infinity

  constructor (windowMs: number, capacity = DEFAULT_REPLAY_CAPACITY) {
    this.#windowMs = windowMs
    this.#capacity = capacity
  }

  /** Records the nonce; false when it was seen (or may have been, below the floor). */
  check (agentId: string, nonce: string, requestTime: number, now: number): boolean {
    this.#prune(now)
    if (requestTime <= this.#floor) return false
    const key = `${agentId}\n${nonce}`
    if (this.#seen.has(key)) return false
    if (this.#seen.size >= this.#capacity) {
      const oldest = this.#seen.entries().next().value
      if (oldest !== undefined) {
        this.#seen.delete(oldest[0])
        this.#floor = Math.max(this.#floor, oldest[1].requestTime)
      }
    }
    this.#seen.set(key, { forgetAt: now + this.#windowMs, requestTime })
    return true
  }

  /** Number of nonces held. */
  get size (): number {
    return this.#seen.size
  }

  #prune (now: number): void {
    // Bounded: each iteration removes one entry.
    for (const [key, v] of this.#seen) {
      if (v.forgetAt > now) break
      this.#seen.delete(key)
    }
  }
}
