import type { Bus } from './bus.ts'
import { busError, replyValue } from './bus-reply.ts'

type Handler = (payload: unknown) => void

/** The bus of a single hub process: synchronous fan-out to local subscribers. */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const
  readonly #subs = new Map<string, Set<Handler>>()
  /** Subscriptions with `*` tokens, matched token by token on every publish (there are few). */
  readonly #patterns = new Map<string, { readonly tokens: readonly string[], readonly handlers: Set<Handler> }>()
  readonly #responders = new Map<string, (payload: unknown) => Promise<unknown>>()

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

  serve (subject: string, handler: (payload: unknown) => Promise<unknown>): () => void {
    this.#responders.set(subject, handler)
    return () => { if (this.#responders.get(subject) === handler) this.#responders.delete(subject) }
  }

  async request (subject: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const handler = this.#responders.get(subject)
    if (handler === undefined) return undefined
    // Wrapped and unwrapped as on NATS, so that both buses answer alike.
    const answer = handler(payload).then((value) => ({ ok: value ?? null }), (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(busError(`no answer on ${subject} within ${timeoutMs} ms`)) }, timeoutMs)
    })
    try {
      return replyValue(subject, await Promise.race([answer, timeout]))
    } finally {
      clearTimeout(timer)
    }
  }

  async close (): Promise<void> {
    this.#responders.clear()
    this.#subs.clear()
    this.#patterns.clear()
  }
}

function matches (pattern: readonly string[], tokens: readonly string[]): boolean {
  return pattern.length === tokens.length && pattern.every((t, i) => t === '*' || t === tokens[i])
}
