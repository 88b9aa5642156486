import type { Bus } from './bus.ts'

/** The bus of a single hub process: synchronous fan-out to local subscribers. */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const
  readonly #subs = new Map<string, Set<(payload: unknown) => void>>()

  publish (subject: string, payload: unknown): void {
    const set = this.#subs.get(subject)
    if (set === undefined) return
    for (const handler of [...set]) handler(payload)
  }

  subscribe (subject: string, handler: (payload: unknown) => void): () => void {
    let set = this.#subs.get(subject)
    if (set === undefined) {
      set = new Set()
      this.#subs.set(subject, set)
    }
    set.add(handler)
    return () => {
      const s = this.#subs.get(subject)
      if (s === undefined) return
      s.delete(handler)
      if (s.size === 0) this.#subs.delete(subject)
    }
  }

  async close (): Promise<void> {
    this.#subs.clear()
  }
}
