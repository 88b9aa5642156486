import { OutpostError, ProtocolError, ProtocolErrorCode, toWireError, type WireError } from '@outpost/protocol'
import { HubErrorCode } from '../errors.ts'

/** How one failure is answered over HTTP. */
export interface HttpFailure {
  readonly statusCode: number
  readonly body: { readonly error: WireError }
  /** Seconds for `Retry-After`, set on load shedding. */
  readonly retryAfterSec?: number
  /** True for failures the hub caused (logged at error, message never sent). */
  readonly internal: boolean
}

/** Seconds an agent is told to wait when the hub sheds load. */
export const RETRY_AFTER_SEC = 2

interface FrameworkError { code?: unknown, statusCode?: unknown, validation?: unknown }

/**
 * The single conversion from any thrown value to an HTTP answer. Outpost errors keep their code
 * and status; Fastify's own 4xx errors get an Outpost code; anything else is an opaque 500.
 */
export function toHttpFailure (err: unknown): HttpFailure {
  if (err instanceof OutpostError) {
    const statusCode = err.statusCode >= 400 && err.statusCode <= 599 ? err.statusCode : 500
    const internal = statusCode >= 500 && statusCode !== 503
    // A 5xx message may carry internal detail (e.g. from the store): only the code goes out.
    const wire = internal ? { code: err.code, message: 'internal error' } : toWireError(err)
    // A 429 may say how long to wait (login throttling and lock-out carry `retryAfterSec`).
    const retryAfter: unknown = (err as { retryAfterSec?: unknown }).retryAfterSec
    if (statusCode === 429 && typeof retryAfter === 'number') return { statusCode, body: { error: wire }, retryAfterSec: retryAfter, internal }
    return statusCode === 503
      ? { statusCode, body: { error: wire }, retryAfterSec: RETRY_AFTER_SEC, internal }
      : { statusCode, body: { error: wire }, internal }
  }
  const fe: FrameworkError = typeof err === 'object' && err !== null ? err : {}
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
    return clientFailure(413, ProtocolErrorCode.TooLarge, 'request body is too large')
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    return clientFailure(400, ProtocolErrorCode.Invalid, 'body is not valid JSON')
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    return clientFailure(415, HubErrorCode.BadRequest, 'unsupported content type: send application/json')
  }
  if (status >= 400 && status < 500) {
    return clientFailure(status, HubErrorCode.BadRequest, 'bad request')
  }
  return { statusCode: 500, body: { error: toWireError(err) }, internal: true }
}

function clientFailure (statusCode: number, code: string, message: string): HttpFailure {
  return { statusCode, body: { error: { code, message } }, internal: false }
}

/** A protocol-invalid error, for callers outside the validators. */
export function invalid (message: string, details?: unknown): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.Invalid, message, details === undefined ? {} : { details })
}
