/**
 * Gathers changes for a moment and then runs one flush, so that a burst of changes costs one
 * live event per thing instead of one per change. Flushes run one after another, never at once;
 * `close` stops scheduling and waits for the flush in progress. The flush must not throw.
 */
export class DelayedFlush {
  readonly #delayMs: number
  readonly #flush: () => Promise<void>
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> = Promise.resolve()
  #closed = false

  constructor (delayMs: number, flush: () => Promise<void>) {
    this.#delayMs = delayMs
    this.#flush = flush
  }

  get closed (): boolean {
    return this.#closed
  }

  /** Runs the flush `delayMs` from now, unless one is already due. */
  schedule (): void {
    if (this.#closed || this.#timer !== undefined) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#flushing = this.#flushing.then(() => this.#flush())
    }, this.#delayMs)
    this.#timer.unref()
  }

  async close (): Promise<void> {
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#flushing
  }
}
