import { createHmac } from 'node:crypto'
import { HubError, HubErrorCode } from '../errors.ts'
import type { DeliveryFailure } from './retry-policy.ts'

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body>` when a webhook secret is set. */
export const SIGNATURE_HEADER = 'x-outpost-signature'
/** Header carrying the delivery id, the same on every retry, so receivers can de-duplicate. */
export const DELIVERY_HEADER = 'x-outpost-delivery'

/**
 * Checks a webhook URL: only http: and https: are accepted (no file:, data:, javascript: …).
 *
 * SSRF: the hub POSTs to whatever URL a rule names, including loopback and private addresses
 * (receivers on the hub's own LAN are a legitimate use). That is acceptable only because rules,
 * and so webhook URLs, are set by admins; redirects are never followed and the answer's body is
 * never read back to anyone, which keeps the hub from being a proxy that reads internal pages.
 */
export function checkWebhookUrl (raw: string): URL {
  let u: URL
  try {
    u = new URL(raw)
  } catch (err) {
    throw new HubError(HubErrorCode.BadRequest, 'webhook URL is not a valid URL', { cause: err })
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new HubError(HubErrorCode.BadRequest, `webhook URL must be http:// or https://, not ${u.protocol}`)
  }
  return u
}

/** `sha256=<hex>`: what a receiver recomputes over the raw body with the shared secret. */
export function signWebhookBody (body: string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body, 'utf8').digest('hex')
}

/** Settings from `config.notify`. */
export interface WebhookSettings {
  readonly secret: string | null
  readonly timeoutMs: number
}

/** 408, 425, 429 and 5xx may pass later; other answers will not change by retrying. */
function retryableStatus (status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500
}

/** POSTs JSON bodies to webhooks, signed when a secret is set. */
export class WebhookTransport {
  readonly #settings: WebhookSettings

  constructor (settings: WebhookSettings) {
    this.#settings = Object.freeze({ ...settings })
  }

  /** Resolves with null on a 2xx answer, or with the failure (never rejects). */
  async post (url: string, body: string, deliveryId: string): Promise<DeliveryFailure | null> {
    try {
      checkWebhookUrl(url)
    } catch (err) {
      return { retryable: false, error: err as HubError }
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'outpost-hub', [DELIVERY_HEADER]: deliveryId }
    if (this.#settings.secret !== null) headers[SIGNATURE_HEADER] = signWebhookBody(body, this.#settings.secret)
    let res: Response
    try {
      res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.#settings.timeoutMs) })
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError'
      const why = timedOut ? `no answer within ${this.#settings.timeoutMs} ms` : (err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err))
      return { retryable: true, error: new HubError(HubErrorCode.NotifyFailed, `webhook: ${why}`, { cause: err }) }
    }
    // The answer's body is of no use to us; drop it so the connection can be reused. A failure to
    // cancel (the peer already hung up) changes nothing about the status we judge the attempt by.
    await res.body?.cancel().catch(() => undefined)
    if (res.ok) return null
    const hint = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''
    return {
      retryable: retryableStatus(res.status),
      error: new HubError(HubErrorCode.NotifyFailed, `webhook answered HTTP ${res.status}${hint}`, { details: { status: res.status } })
    }
  }
}
