/**
 * A level-triggered wake-up: `notify()` before `wait()` is not lost, so a subscriber can check
 * its condition, then wait, without a window where a notification slips through.
 */
export class Wakeup {
  #pending = false
  #resolve: (() => void) | undefined

  /** Wakes the current waiter, or the next one if nobody waits now. */
  notify (): void {
    this.#pending = true
    const r = this.#resolve
    this.#resolve = undefined
    r?.()
  }

  /** Resolves at the next notification (or a pending one), after `ms`, or when `signal` aborts. */
  wait (ms: number, signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted || ms <= 0) {
      this.#pending = false
      return Promise.resolve()
    }
    return new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        this.#resolve = undefined
        this.#pending = false
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
      this.#resolve = done
    })
  }
}
