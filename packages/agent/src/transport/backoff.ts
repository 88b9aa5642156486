import { AgentError, AgentErrorCode } from '../errors.ts'

/** Bounds of the exponential back-off. */
export interface BackoffOptions {
  readonly minMs: number
  readonly maxMs: number
}

/**
 * Exponential back-off with full jitter: attempt n waits a uniformly random time in
 * [minMs, min(maxMs, minMs·2ⁿ)]. The randomness spreads a fleet that lost its hub at the same
 * moment over the whole window, so a hub restart is not met by synchronised waves.
 */
export class Backoff {
  readonly #min: number
  readonly #max: number
  readonly #random: () => number
  #attempt = 0

  constructor (opts: BackoffOptions, random: () => number = Math.random) {
    this.#min = Math.max(1, opts.minMs)
    this.#max = Math.max(this.#min, opts.maxMs)
    this.#random = random
  }

  /** Failures since the last `reset()`. */
  get attempt (): number {
    return this.#attempt
  }

  /** The delay before the next attempt; each call widens the window (up to `maxMs`). */
  next (): number {
    const cap = Math.min(this.#max, this.#min * 2 ** Math.min(this.#attempt, 40))
    this.#attempt++
    return this.#min + Math.floor(this.#random() * (cap - this.#min + 1))
  }

  /** Called after a success: the next failure starts from `minMs` again. */
  reset (): void {
    this.#attempt = 0
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. Uses `setTimeout`, so fake timers drive it. */
export function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal))
      return
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    function onAbort (): void {
      clearTimeout(timer)
      reject(abortReason(signal))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function abortReason (signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new AgentError(AgentErrorCode.Transport, 'aborted')
}

/** The delay the hub asked for in `Retry-After` (seconds or an HTTP date), in ms, or undefined. */
export function parseRetryAfter (value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value === '') return undefined
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value.trim()) * 1000, 3600_000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - now, 3600_000))
}

/** The `Retry-After` delay (ms) a throttled (429/503) failure carries, or undefined. */
export function retryAfterOf (err: unknown): number | undefined {
  const e = err as { code?: unknown, details?: { retryAfterMs?: unknown } } | undefined
  const ms = e?.code === AgentErrorCode.Throttled ? e.details?.retryAfterMs : undefined
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.max(0, ms) : undefined
}

/**
 * The wait after a failure: the next back-off step, and never less than the hub's `Retry-After`
 * plus a random share of as much again. Without that jitter every agent refused in one burst
 * would come back in the same instant and be refused again.
 */
export function retryDelay (backoff: Backoff, err: unknown, random: () => number = Math.random): number {
  const ms = backoff.next()
  const after = retryAfterOf(err)
  if (after === undefined) return ms
  return Math.max(ms, after + Math.floor(random() * (after + 1)))
}
