/** How failed deliveries are retried: bounded attempts, exponential back-off with jitter. */
export interface RetryPolicy {
  /** Attempts in all, the first included; the delivery is given up after the last. */
  readonly maxAttempts: number
  /** Wait after the first failure; doubles after each further one. */
  readonly baseMs: number
  /** Longest wait between two attempts. */
  readonly maxMs: number
}

/** About 4 minutes of trying (2 s, 4 s, … 128 s): enough to ride out a mail relay restart. */
export const DEFAULT_NOTIFY_RETRY: RetryPolicy = Object.freeze({ maxAttempts: 8, baseMs: 2000, maxMs: 300_000 })

/**
 * The wait before attempt `attempts + 1`, after `attempts` failures (≥ 1). Jitter of ±20 % keeps
 * many deliveries that failed together (relay down) from retrying in lock step.
 */
export function backoffMs (attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)))
  return Math.max(0, Math.round(exp * (0.8 + 0.4 * random())))
}

/** Whether a failure may go away by itself; permanent ones (a 4xx, a refused address) are not retried. */
export interface DeliveryFailure {
  readonly retryable: boolean
  readonly error: Error
}
