import type { TransportStatus } from './transport.ts'

/** A tiny listener set for `TransportStatus`; a throwing listener cannot break the transport. */
export class StatusEmitter {
  readonly #listeners = new Set<(s: TransportStatus) => void>()
  #onListenerError: (err: unknown) => void

  constructor (onListenerError: (err: unknown) => void = (err) => { queueMicrotask(() => { throw err }) }) {
    this.#onListenerError = onListenerError
  }

  /** Adds a listener; returns the unsubscribe function. */
  on (listener: (s: TransportStatus) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  /** Delivers `s` to every listener. */
  emit (s: TransportStatus): void {
    for (const l of this.#listeners) {
      try {
        l(s)
      } catch (err) {
        this.#onListenerError(err)
      }
    }
  }
}
