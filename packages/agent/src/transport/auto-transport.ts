import type { ReplyEnvelope, SpooledMessage } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { Backoff, retryAfterOf, retryDelay, type BackoffOptions } from './backoff.ts'
import { HttpTransport } from './http-transport.ts'
import type { HubLink } from './hub-link.ts'
import { StatusEmitter } from './status-emitter.ts'
import type { Transport, TransportStatus } from './transport.ts'
import { WsTransport, type WsTransportOptions } from './ws-transport.ts'

/** Which way to reach the hub: `auto` prefers the WebSocket and falls back to POST. */
export type TransportMode = 'auto' | 'ws' | 'http'

/** Options of the composite transport. */
export interface AutoTransportOptions {
  readonly mode: TransportMode
  /** Back-off between WebSocket attempts while POST carries the traffic. */
  readonly backoff: BackoffOptions
  readonly random?: () => number
  readonly ws?: WsTransportOptions
}

/**
 * The agent's default transport. In `auto` mode it uses the WebSocket whenever one connects and
 * authenticates; when it cannot (refused upgrade, proxy, hub option) or the socket dies, it
 * carries on over POST/long-poll by itself, announces `fallback`, and tries the WebSocket again
 * after a jittered, growing delay. `ws` and `http` force one path. An upgrade refused with 429/503
 * and `Retry-After` (the hub shedding load) is not a reason to fall back: every call fails as
 * throttled until that delay (plus jitter) has passed, so the burst does not move to POST.
 */
export class AutoTransport implements Transport {
  readonly #link: HubLink
  readonly #opts: AutoTransportOptions
  readonly #http: HttpTransport
  readonly #status = new StatusEmitter()
  readonly #backoff: Backoff
  #ws: WsTransport | undefined
  #connecting: Promise<WsTransport | undefined> | undefined
  #retryAt = 0
  /** Until then every call fails as throttled: the hub refused an upgrade with Retry-After. */
  #heldUntil = 0
  #closed = false

  constructor (link: HubLink, opts: AutoTransportOptions) {
    this.#link = link
    this.#opts = opts
    this.#backoff = new Backoff(opts.backoff, opts.random)
    this.#http = new HttpTransport(link)
    this.#http.onStatus((s) => this.#status.emit(s))
  }

  /** `ws` while the WebSocket is up, else `https`. */
  get kind (): string {
    return this.#ws?.isOpen === true ? 'ws' : 'https'
  }

  send (messages: readonly SpooledMessage[], signal?: AbortSignal): Promise<ReplyEnvelope> {
    // Resending after a fallback is safe: the hub de-duplicates by (agent, seq).
    return this.#viaBest(signal, (t) => t.send(messages, signal))
  }

  awaitInstructions (waitMs: number, signal?: AbortSignal): Promise<ReplyEnvelope> {
    return this.#viaBest(signal, (t) => t.awaitInstructions(t === this.#http ? this.#pollWait(waitMs) : waitMs, signal))
  }

  /**
   * A fallback poll over POST ends when the WebSocket is due to be tried again: once the sender
   * has brought a new WebSocket up, the hub pushes instructions on it, and a poll still held
   * over POST would leave them unread until it ends (up to `waitMs`, e.g. after every relay
   * failover).
   */
  #pollWait (waitMs: number): number {
    if (this.#opts.mode !== 'auto') return waitMs
    return Math.max(0, Math.min(waitMs, this.#retryAt - (this.#link.now?.() ?? Date.now())))
  }

  /** Runs `call` on the WebSocket when it is up, on POST otherwise or when the WebSocket fails. */
  async #viaBest (signal: AbortSignal | undefined, call: (t: Transport) => Promise<ReplyEnvelope>): Promise<ReplyEnvelope> {
    const holdMs = this.#heldUntil - (this.#link.now?.() ?? Date.now())
    if (holdMs > 0) throw new AgentError(AgentErrorCode.Throttled, `hub asked to wait; ${holdMs} ms left`, { details: { retryAfterMs: holdMs } })
    const ws = await this.#pick()
    if (ws === undefined) return await call(this.#http)
    try {
      return await call(ws)
    } catch (err) {
      if (!this.#shouldFallBack(err, signal)) throw err
      this.#lost(ws, err)
      return await call(this.#http)
    }
  }

  onStatus (listener: (s: TransportStatus) => void): () => void {
    return this.#status.on(listener)
  }

  async close (): Promise<void> {
    this.#closed = true
    const ws = this.#ws ?? await this.#connecting
    this.#ws = undefined
    await ws?.close()
    await this.#http.close()
  }

  #shouldFallBack (err: unknown, signal: AbortSignal | undefined): boolean {
    if (signal?.aborted === true || this.#closed || this.#opts.mode === 'ws') return false
    return (err as { code?: unknown }).code === AgentErrorCode.Transport
  }

  /** The open WebSocket, a fresh one when a retry is due, or undefined for POST. */
  async #pick (): Promise<WsTransport | undefined> {
    if (this.#opts.mode === 'http' || this.#closed) return undefined
    if (this.#ws?.isOpen === true) return this.#ws
    if (this.#connecting !== undefined) return await this.#connecting
    const now = this.#link.now?.() ?? Date.now()
    if (this.#opts.mode === 'auto' && now < this.#retryAt) return undefined
    this.#connecting = this.#dial().finally(() => { this.#connecting = undefined })
    return await this.#connecting
  }

  async #dial (): Promise<WsTransport | undefined> {
    const ws = new WsTransport(this.#link, this.#opts.ws)
    const off = ws.onStatus((s) => this.#status.emit(s))
    try {
      await ws.connect()
    } catch (err) {
      off()
      const after = retryAfterOf(err)
      if (after !== undefined) {
        // The hub is shedding load: neither the WebSocket nor POST until it said to come back
        // (plus jitter), or the fallback would hit it with the same burst over POST.
        const inMs = retryDelay(this.#backoff, err, this.#opts.random)
        this.#heldUntil = this.#retryAt = (this.#link.now?.() ?? Date.now()) + inMs
        this.#status.emit({ type: 'reconnecting', transport: 'ws', inMs })
        throw err
      }
      const inMs = this.#scheduleRetry()
      if (this.#opts.mode === 'ws') {
        this.#status.emit({ type: 'reconnecting', transport: 'ws', inMs })
        throw err
      }
      this.#status.emit({ type: 'fallback', from: 'ws', to: 'https', reason: (err as Error).message })
      this.#status.emit({ type: 'reconnecting', transport: 'ws', inMs })
      return undefined
    }
    if (this.#closed) {
      off()
      await ws.close()
      return undefined
    }
    this.#backoff.reset()
    this.#ws = ws
    return ws
  }

  #lost (ws: WsTransport, err: unknown): void {
    if (this.#ws !== ws) return
    this.#ws = undefined
    const inMs = this.#scheduleRetry()
    this.#status.emit({ type: 'fallback', from: 'ws', to: 'https', reason: (err as Error).message })
    this.#status.emit({ type: 'reconnecting', transport: 'ws', inMs })
  }

  #scheduleRetry (): number {
    const inMs = this.#backoff.next()
    this.#retryAt = (this.#link.now?.() ?? Date.now()) + inMs
    return inMs
  }
}
