import WebSocket from 'ws'
import {
  AgentHeader, HubPath, KNOWN_CAPABILITIES, MAX_BATCH_MESSAGES, PROTOCOL_VERSION, WsHubFrameEnvelope, parseJson, signBytes, wsAuthSigningString,
  type ReplyEnvelope, type SpooledMessage, type WsAuthMessage, type WsAgentFrame
} from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { parseRetryAfter } from './backoff.ts'
import { hubUrl, type HubLink } from './hub-link.ts'
import { MAX_HUB_ANSWER_BYTES } from './https-post.ts'
import { StatusEmitter } from './status-emitter.ts'
import type { Transport, TransportStatus } from './transport.ts'

/** Liveness: a ping this often; no pong before the next one ends the connection. */
export const DEFAULT_WS_PING_MS = 30_000
/** How long connect + challenge + auth may take. */
export const DEFAULT_WS_HANDSHAKE_MS = 15_000
/** How long the hub may take to answer one frame. */
export const DEFAULT_WS_REPLY_MS = 60_000

/** Timing knobs of the WebSocket transport. */
export interface WsTransportOptions {
  readonly pingMs?: number
  readonly handshakeMs?: number
  readonly replyMs?: number
}

interface PendingSend { readonly seqs: ReadonlySet<number>, readonly resolve: (r: ReplyEnvelope) => void, readonly reject: (e: Error) => void, readonly timer: NodeJS.Timeout }
interface Waiter { readonly resolve: (r: ReplyEnvelope) => void, readonly reject: (e: Error) => void }

/**
 * One authenticated WebSocket to the hub. `connect()` dials (through the pinned connector),
 * answers the challenge with a signature and resolves on `welcome`. Then each `send` writes one
 * frame and resolves with the reply frame that acknowledges its sequence numbers (the hub answers
 * frames in order); reply frames that acknowledge nothing are pushes and feed `awaitInstructions`.
 * A connection is used once: after it closes, make a new instance.
 */
export class WsTransport implements Transport {
  readonly kind = 'ws'
  readonly #link: HubLink
  readonly #opts: Required<WsTransportOptions>
  readonly #status = new StatusEmitter()
  readonly #pending: PendingSend[] = []
  readonly #waiters: Waiter[] = []
  #pushed: unknown[] = []
  #ws: WebSocket | undefined
  #open = false
  #closedError: Error | undefined
  #pingTimer: NodeJS.Timeout | undefined

  constructor (link: HubLink, opts: WsTransportOptions = {}) {
    this.#link = link
    this.#opts = { pingMs: opts.pingMs ?? DEFAULT_WS_PING_MS, handshakeMs: opts.handshakeMs ?? DEFAULT_WS_HANDSHAKE_MS, replyMs: opts.replyMs ?? DEFAULT_WS_REPLY_MS }
  }

  /** True between `welcome` and the close. */
  get isOpen (): boolean {
    return this.#open
  }

  /** Dials and authenticates; rejects on any failure (the socket is then closed). */
  connect (): Promise<void> {
    if (this.#ws !== undefined) return Promise.reject(new AgentError(AgentErrorCode.Transport, 'WsTransport.connect() called twice'))
    const url = hubUrl(this.#link.hubUrl, HubPath.AgentWebSocket)
    url.protocol = 'wss:'
    const ws = new WebSocket(url, {
      agent: this.#link.agent,
      perMessageDeflate: false,
      maxPayload: MAX_HUB_ANSWER_BYTES,
      handshakeTimeout: this.#opts.handshakeMs,
      headers: { [AgentHeader.Protocol]: String(PROTOCOL_VERSION) }
    })
    this.#ws = ws
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new AgentError(AgentErrorCode.Transport, `WebSocket handshake took longer than ${this.#opts.handshakeMs} ms`)), this.#opts.handshakeMs)
      const fail = (err: Error): void => {
        clearTimeout(timer)
        this.#shutdown(err)
        reject(err)
      }
      ws.on('error', (err) => {
        const e = err instanceof AgentError ? err : new AgentError(AgentErrorCode.Transport, `WebSocket error: ${err.message}`, { cause: err })
        if (this.#open) this.#shutdown(e)
        else fail(e)
      })
      ws.on('close', (code, reason) => {
        const e = new AgentError(AgentErrorCode.Transport, `WebSocket closed (${code}${reason.length > 0 ? ' ' + reason.toString('utf8').slice(0, 200) : ''})`)
        if (this.#open) this.#shutdown(e)
        else fail(e)
      })
      ws.on('message', (data, isBinary) => {
        let frame: WsHubFrameEnvelope
        try {
          if (isBinary) throw new AgentError(AgentErrorCode.Transport, 'hub sent a binary frame')
          frame = parseJson(WsHubFrameEnvelope, rawText(data), 'hub frame')
        } catch (cause) {
          const e = new AgentError(AgentErrorCode.Transport, 'hub sent an invalid frame', { cause })
          if (this.#open) this.#shutdown(e)
          else fail(e)
          return
        }
        if (frame.type === 'challenge') {
          if (frame.protocolVersion !== PROTOCOL_VERSION) {
            fail(new AgentError(AgentErrorCode.HubRefused, `hub speaks protocol ${frame.protocolVersion}, this agent ${PROTOCOL_VERSION}`))
            return
          }
          ws.send(JSON.stringify(this.#auth(frame.challenge)))
        } else if (frame.type === 'welcome') {
          clearTimeout(timer)
          this.#open = true
          this.#startPing(ws)
          this.#status.emit({ type: 'connect', transport: this.kind })
          resolve()
        } else if (frame.type === 'error') {
          const e = new AgentError(AgentErrorCode.HubRefused, `hub refused: ${frame.error.code}: ${frame.error.message}`, { details: { code: frame.error.code } })
          if (!this.#open) fail(e)
          else this.#pending.shift()?.reject(e)
        } else {
          this.#onReply(frame)
        }
      })
      ws.on('pong', () => { this.#alive = true })
      // A refused upgrade: 429/503 carry the hub's Retry-After, so the caller can wait it out.
      ws.on('unexpected-response', (_req, res) => {
        res.resume()
        fail(refusedUpgrade(res.statusCode ?? 0, res.headers['retry-after']))
      })
    })
  }

  #alive = true

  #auth (challenge: string): WsAuthMessage {
    const time = String(this.#link.now?.() ?? Date.now())
    return {
      type: 'auth',
      agentId: this.#link.agentId,
      time,
      signature: signBytes(this.#link.privateKey, wsAuthSigningString(challenge, this.#link.agentId, time)),
      protocolVersion: PROTOCOL_VERSION,
      capabilities: [...KNOWN_CAPABILITIES]
    }
  }

  #onReply (reply: ReplyEnvelope): void {
    if (reply.accepted.length > 0 && this.#pending.length > 0) {
      const idx = this.#pending.findIndex((p) => reply.accepted.some((s) => p.seqs.has(s)))
      const [p] = this.#pending.splice(idx === -1 ? 0 : idx, 1)
      clearTimeout(p!.timer)
      p!.resolve(reply)
      return
    }
    // A push (or an answer that acknowledges nothing): hand its instructions to awaitInstructions.
    if (reply.instructions.length === 0) return
    this.#pushed.push(...reply.instructions)
    const w = this.#waiters.shift()
    if (w !== undefined) w.resolve(this.#drainPushed(reply.time))
  }

  #drainPushed (time: number): ReplyEnvelope {
    const instructions = this.#pushed
    this.#pushed = []
    return { type: 'reply', accepted: [], instructions, time }
  }

  /** Writes one frame (one message, or a batch) and resolves with the reply that acknowledges it. */
  send (messages: readonly SpooledMessage[], signal?: AbortSignal): Promise<ReplyEnvelope> {
    const ws = this.#ws
    if (!this.#open || ws === undefined) return Promise.reject(this.#closedError ?? new AgentError(AgentErrorCode.Transport, 'WebSocket is not open'))
    if (messages.length === 0 || messages.length > MAX_BATCH_MESSAGES) {
      return Promise.reject(new AgentError(AgentErrorCode.Transport, `send takes 1..${MAX_BATCH_MESSAGES} messages, got ${messages.length}`))
    }
    const frame: WsAgentFrame = messages.length === 1 ? messages[0]! : { type: 'batch', messages: [...messages] }
    return new Promise((resolve, reject) => {
      // The frame is already on the wire when the caller aborts; dropping the connection keeps ordering clean.
      const onAbort = (): void => this.#shutdown(new AgentError(AgentErrorCode.Transport, 'send aborted'))
      const timer = setTimeout(() => this.#shutdown(new AgentError(AgentErrorCode.Transport, `no reply on the WebSocket within ${this.#opts.replyMs} ms`)), this.#opts.replyMs)
      timer.unref()
      const entry: PendingSend = {
        seqs: new Set(messages.map((m) => m.seq)),
        resolve: (r) => { signal?.removeEventListener('abort', onAbort); resolve(r) },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e) },
        timer
      }
      this.#pending.push(entry)
      signal?.addEventListener('abort', onAbort, { once: true })
      ws.send(JSON.stringify(frame), (err) => {
        if (err != null) this.#shutdown(new AgentError(AgentErrorCode.Transport, `WebSocket write failed: ${err.message}`, { cause: err }))
      })
    })
  }

  /** Resolves with pushed instructions, or with an empty reply after `waitMs`. Rejects when the socket dies. */
  awaitInstructions (waitMs: number, signal?: AbortSignal): Promise<ReplyEnvelope> {
    const now = this.#link.now?.() ?? Date.now()
    if (this.#pushed.length > 0) return Promise.resolve(this.#drainPushed(now))
    if (!this.#open) return Promise.reject(this.#closedError ?? new AgentError(AgentErrorCode.Transport, 'WebSocket is not open'))
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        const i = this.#waiters.indexOf(waiter)
        if (i !== -1) this.#waiters.splice(i, 1)
      }
      const waiter: Waiter = {
        resolve: (r) => { done(); resolve(r) },
        reject: (e) => { done(); reject(e) }
      }
      const timer = setTimeout(() => waiter.resolve({ type: 'reply', accepted: [], instructions: [], time: this.#link.now?.() ?? Date.now() }), waitMs)
      const onAbort = (): void => waiter.reject(signal?.reason instanceof Error ? signal.reason : new AgentError(AgentErrorCode.Transport, 'aborted'))
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiters.push(waiter)
    })
  }

  onStatus (listener: (s: TransportStatus) => void): () => void {
    return this.#status.on(listener)
  }

  async close (): Promise<void> {
    this.#shutdown(new AgentError(AgentErrorCode.Transport, 'transport closed'))
  }

  #startPing (ws: WebSocket): void {
    this.#pingTimer = setInterval(() => {
      if (!this.#alive) {
        this.#shutdown(new AgentError(AgentErrorCode.Transport, `no pong within ${this.#opts.pingMs} ms`))
        return
      }
      this.#alive = false
      ws.ping()
    }, this.#opts.pingMs)
    this.#pingTimer.unref()
  }

  #shutdown (err: Error): void {
    if (this.#closedError !== undefined) return
    this.#closedError = err
    const wasOpen = this.#open
    this.#open = false
    clearInterval(this.#pingTimer)
    const ws = this.#ws
    if (ws !== undefined && ws.readyState !== WebSocket.CLOSED) ws.terminate()
    for (const p of this.#pending.splice(0)) {
      clearTimeout(p.timer)
      p.reject(err)
    }
    for (const w of [...this.#waiters]) w.reject(err)
    if (wasOpen) {
      const code = (err as { code?: unknown }).code
      this.#status.emit({ type: 'disconnect', transport: this.kind, error: { code: String(code ?? AgentErrorCode.Transport), message: err.message } })
    }
  }
}

function refusedUpgrade (statusCode: number, retryAfter: string | string[] | undefined): AgentError {
  if (statusCode === 429 || statusCode === 503) {
    const retryAfterMs = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter)
    return new AgentError(AgentErrorCode.Throttled, `hub is busy (WebSocket upgrade answered ${statusCode}), retry after ${retryAfterMs ?? '?'} ms`, { statusCode, details: { retryAfterMs } })
  }
  return new AgentError(AgentErrorCode.Transport, `Unexpected server response: ${statusCode}`, { statusCode })
}

function rawText (data: WebSocket.RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.isBuffer(data) ? data : Buffer.from(data)
}
