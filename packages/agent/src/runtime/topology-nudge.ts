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

  constructor (report: () => void, opts: { minGapMs: number, spreadMs: number, random?: () => number }) {
    this.#report = report
    this.#minGapMs = opts.minGapMs
    this.#spreadMs = opts.spreadMs
    this.#random = opts.random ?? Math.random
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
