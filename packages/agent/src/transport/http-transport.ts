import { HubPath, MAX_BATCH_MESSAGES, ReplyEnvelope, type AgentMessage, type SpooledMessage } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../errors.ts'
import { hubUrl, signedHeaders, type HubLink } from './hub-link.ts'
import { httpsPost, readHubAnswer } from './https-post.ts'
import { StatusEmitter } from './status-emitter.ts'
import type { Transport, TransportStatus } from './transport.ts'

/** Time allowed for a send answer (the hub answers after its commit). */
export const HTTP_SEND_TIMEOUT_MS = 60_000
/** Slack on top of the poll wait before a held poll counts as lost. */
export const HTTP_POLL_SLACK_MS = 15_000

/**
 * POST/long-poll transport: every message is one signed POST to `/agent/v1/messages` over the
 * pinned keep-alive connector. `awaitInstructions` sends a `poll` that the hub holds open.
 */
export class HttpTransport implements Transport {
  readonly kind = 'https'
  readonly #link: HubLink
  readonly #status = new StatusEmitter()
  readonly #url: URL
  #healthy: boolean | undefined

  constructor (link: HubLink) {
    this.#link = link
    this.#url = hubUrl(link.hubUrl, HubPath.AgentMessages)
  }

  /** Sends one message, or a `batch` when there are several. */
  async send (messages: readonly SpooledMessage[], signal?: AbortSignal): Promise<ReplyEnvelope> {
    if (messages.length === 0 || messages.length > MAX_BATCH_MESSAGES) {
      throw new AgentError(AgentErrorCode.Transport, `send takes 1..${MAX_BATCH_MESSAGES} messages, got ${messages.length}`)
    }
    const msg: AgentMessage = messages.length === 1 ? messages[0]! : { type: 'batch', messages: [...messages] }
    return await this.#post(msg, HTTP_SEND_TIMEOUT_MS, signal)
  }

  /** A held `poll`; resolves with the hub's reply (possibly without instructions). */
  async awaitInstructions (waitMs: number, signal?: AbortSignal): Promise<ReplyEnvelope> {
    return await this.#post({ type: 'poll', waitMs }, waitMs + HTTP_POLL_SLACK_MS, signal)
  }

  onStatus (listener: (s: TransportStatus) => void): () => void {
    return this.#status.on(listener)
  }

  async close (): Promise<void> {
    // The pinned agent is shared with other transports; its owner destroys it.
  }

  async #post (msg: AgentMessage, timeoutMs: number, signal: AbortSignal | undefined): Promise<ReplyEnvelope> {
    const body = Buffer.from(JSON.stringify(msg))
    const headers = signedHeaders(this.#link, 'POST', this.#url.pathname, body)
    try {
      const answer = await httpsPost(this.#url, body, { agent: this.#link.agent, headers, timeoutMs, signal })
      const reply = readHubAnswer(answer, ReplyEnvelope, 'reply')
      this.#mark(true)
      return reply
    } catch (err) {
      // A refusal or throttling still proves the link works; only network failures mark it down.
      const code = (err as { code?: unknown }).code
      const reachable = code === AgentErrorCode.HubRefused || code === AgentErrorCode.Throttled
      if (!(signal?.aborted ?? false)) this.#mark(reachable, err)
      throw err
    }
  }

  #mark (up: boolean, err?: unknown): void {
    if (this.#healthy === up) return
    this.#healthy = up
    if (up) {
      this.#status.emit({ type: 'connect', transport: this.kind })
    } else {
      const e = err as { code?: unknown, message?: unknown } | undefined
      this.#status.emit({ type: 'disconnect', transport: this.kind, error: { code: String(e?.code ?? AgentErrorCode.Transport), message: String(e?.message ?? 'unknown') } })
    }
  }
}
