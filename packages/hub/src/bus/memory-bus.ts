import type { Bus } from './bus.ts'

type Handler = (payload: unknown) => void

/** The bus of a single hub process: synchronous fan-out to local subscribers. */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const
  readonly #subs = new Map<string, Set<Handler>>()
  /** Subscriptions with `*` tokens, matched token by token on every publish (there are few). */
  readonly #patterns = new Map<string, { readonly tokens: readonly string[], readonly handlers: Set<Handler> }>()

  publish (subject: string, payload: unknown): void {
    const handlers = [...(this.#subs.get(subject) ?? [])]
    if (this.#patterns.size > 0) {
      const tokens = subject.split('.')
      for (const p of this.#patterns.values()) {
        if (matches(p.tokens, tokens)) handlers.push(...p.handlers)
      }
    }
    for (const handler of handlers) handler(payload)
  }

  subscribe (subject: string, handler: Handler): () => void {
    const tokens = subject.split('.')
    if (tokens.includes('*')) {
      let p = this.#patterns.get(subject)
      if (p === undefined) this.#patterns.set(subject, p = { tokens, handlers: new Set() })
      p.handlers.add(handler)
      return () => {
        const q = this.#patterns.get(subject)
        if (q === undefined) return
        q.handlers.delete(handler)
        if (q.handlers.size === 0) this.#patterns.delete(subject)
      }
    }
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
    this.#patterns.clear()
  }
}

function matches (pattern: readonly string[], tokens: readonly string[]): boolean {
  return pattern.length === tokens.length && pattern.every((t, i) => t === '*' || t === tokens[i])
}
