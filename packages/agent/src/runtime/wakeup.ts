/** A level-triggered wake-up: `notify()` before `wait()` is not lost. */
export class Wakeup {
  #pending = false
  #resolve: (() => void) | undefined

  /** Wakes the waiter, or the next one. */
  notify (): void {
    this.#pending = true
    const r = this.#resolve
    this.#resolve = undefined
    r?.()
  }

  /** Resolves at the next (or a missed) `notify()` or when `signal` aborts. */
  wait (signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted) {
      this.#pending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done)
        this.#pending = false
        this.#resolve = undefined
        resolve()
      }
      this.#resolve = done
      signal.addEventListener('abort', done, { once: true })
    })
  }
}
