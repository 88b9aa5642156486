/** Nudges closer than this are folded into one. */
export const NUDGE_MIN_GAP_MS = 5_000
/** Most random delay before a nudged report. */
export const NUDGE_SPREAD_MS = 1_000

/**
 * Sends a status report soon after the agent's place in the topology changed (it failed over to
 * another upstream, or, as a relay, the set of agents whose first hop it is changed), so that the
 * hub sees the agent again and learns its new path within seconds rather than at the next
 * interval. Nudges closer than `minGapMs` are folded into one; a random delay of up to
 * `spreadMs` keeps a thousand agents that fail over together from reporting in the same instant.
 */
export class TopologyNudge {
  readonly #report: () => void
  readonly #minGapMs: number
  readonly #spreadMs: number
  readonly #random: () => number
  #timer: NodeJS.Timeout | undefined
  #lastAt = -Infinity
  #closed = false
  /** The upstream list index in use (-1 before the first connection). */
  #upstreamIndex = -1

  constructor (report: () => void, opts: { minGapMs?: number, spreadMs?: number, random?: (() => number) | undefined } = {}) {
    this.#report = report
    this.#minGapMs = opts.minGapMs ?? NUDGE_MIN_GAP_MS
    this.#spreadMs = opts.spreadMs ?? NUDGE_SPREAD_MS
    this.#random = opts.random ?? Math.random
  }

  /** The upstream selector switched to entry `index`: a failover, unless it is the first connection. */
  upstreamSwitched (index: number): void {
    if (this.#upstreamIndex >= 0) this.nudge()
    this.#upstreamIndex = index
  }

  nudge (): void {
    if (this.#closed || this.#timer !== undefined) return
    const wait = Math.max(0, this.#lastAt + this.#minGapMs - performance.now()) + this.#random() * this.#spreadMs
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#lastAt = performance.now()
      if (!this.#closed) this.#report()
    }, wait)
    this.#timer.unref()
  }

  close (): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
