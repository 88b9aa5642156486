import type { LockoutPolicy } from '../store/console-store.ts'

/** 5 failed logins within 15 minutes lock a user for 15 minutes. */
export const LOGIN_LOCKOUT: LockoutPolicy = Object.freeze({ maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 })
/** Login attempts per client address: a burst of 10, then one every 6 s. */
export const LOGIN_BURST = 10
export const LOGIN_REFILL_MS = 6_000
/** Most addresses or names tracked in memory; beyond, the least recently used are forgotten. */
export const MAX_TRACKED_KEYS = 10_000

/**
 * Token buckets by key (client address), in memory; with several replicas, `SharedThrottle`
 * makes each count the attempts the others see.
 * `take` answers 0 when a token was available, else the seconds until one is.
 */
export class TokenBuckets {
  readonly #capacity: number
  readonly #refillMs: number
  readonly #now: () => number
  readonly #buckets = new Map<string, { tokens: number, at: number }>()

  constructor (capacity: number, refillMs: number, now: () => number) {
    this.#capacity = capacity
    this.#refillMs = refillMs
    this.#now = now
  }

  take (key: string): number {
    const now = this.#now()
    const b = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now }
    const tokens = Math.min(this.#capacity, b.tokens + Math.max(0, now - b.at) / this.#refillMs)
    this.#buckets.delete(key) // re-inserted below: the map's order is least recently used first
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now })
      return Math.max(1, Math.ceil((1 - tokens) * this.#refillMs / 1000))
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now })
    forgetOldest(this.#buckets)
    return 0
  }
}

/**
 * Failure counts for user names that do not exist, with the same policy as real users, so that
 * a lock-out answer does not tell an attacker which names are real.
 */
export class UnknownNameLockout {
  readonly #policy: LockoutPolicy
  readonly #names = new Map<string, { count: number, since: number, lockedUntil: number | null }>()

  constructor (policy: LockoutPolicy) {
    this.#policy = policy
  }

  /** When the name is locked, until when; else null. */
  lockedUntil (name: string, now: number): number | null {
    const e = this.#names.get(name)
    return e?.lockedUntil !== null && e?.lockedUntil !== undefined && e.lockedUntil > now ? e.lockedUntil : null
  }

  /** Counts a failure; returns when the name's lock ends, null when it is not locked. */
  fail (name: string, now: number): number | null {
    const prev = this.#names.get(name)
    const fresh = prev === undefined || now - prev.since >= this.#policy.windowMs
    const e = fresh ? { count: 1, since: now, lockedUntil: prev?.lockedUntil ?? null } : { ...prev, count: prev.count + 1 }
    this.#names.delete(name)
    if (e.count >= this.#policy.maxFailures) {
      this.#names.set(name, { count: 0, since: now, lockedUntil: now + this.#policy.lockMs })
    } else {
      this.#names.set(name, e)
    }
    forgetOldest(this.#names)
    return this.lockedUntil(name, now)
  }
}

function forgetOldest (m: Map<string, unknown>): void {
  // Bounded: an attacker cycling addresses or names costs memory only up to the limit.
  while (m.size > MAX_TRACKED_KEYS) {
    const first = m.keys().next()
    if (first.done === true) return
    m.delete(first.value)
  }
}
