import { OutpostError } from '@outpost/protocol'

/**
 * Every failure the hub reports, with its stable code and HTTP status. The HTTP error handler
 * maps these (and protocol errors) to `{ error: { code, message } }`; callers match on `code`.
 * Each code is documented in docs/errors.md.
 */
export const HubErrorCode = {
  Unauthenticated: 'HUB_ERR_UNAUTHENTICATED',
  Forbidden: 'HUB_ERR_FORBIDDEN',
  NotFound: 'HUB_ERR_NOT_FOUND',
  BadRequest: 'HUB_ERR_BAD_REQUEST',
  TooLarge: 'HUB_ERR_TOO_LARGE',
  Replay: 'HUB_ERR_REPLAY',
  ClockSkew: 'HUB_ERR_CLOCK_SKEW',
  EnrollRefused: 'HUB_ERR_ENROLL_REFUSED',
  Overloaded: 'HUB_ERR_OVERLOADED',
  Config: 'HUB_ERR_CONFIG',
  Store: 'HUB_ERR_STORE',
  Unavailable: 'HUB_ERR_UNAVAILABLE',
  NotifyFailed: 'HUB_ERR_NOTIFY_FAILED',
  Csrf: 'HUB_ERR_CSRF',
  Locked: 'HUB_ERR_LOCKED',
  Throttled: 'HUB_ERR_THROTTLED',
  TotpRequired: 'HUB_ERR_TOTP_REQUIRED',
  Conflict: 'HUB_ERR_CONFLICT',
  /** The host has as many live sessions open as the hub allows. */
  SessionLimit: 'HUB_ERR_SESSION_LIMIT',
  /** The message bus between replicas (NATS) cannot be reached, or a request on it went unanswered. */
  Bus: 'HUB_ERR_BUS'
} as const
export type HubErrorCode = (typeof HubErrorCode)[keyof typeof HubErrorCode]

const STATUS: Record<HubErrorCode, number> = {
  HUB_ERR_UNAUTHENTICATED: 401,
  HUB_ERR_FORBIDDEN: 403,
  HUB_ERR_NOT_FOUND: 404,
  HUB_ERR_BAD_REQUEST: 400,
  HUB_ERR_TOO_LARGE: 413,
  HUB_ERR_REPLAY: 401,
  HUB_ERR_CLOCK_SKEW: 401,
  HUB_ERR_ENROLL_REFUSED: 403,
  HUB_ERR_OVERLOADED: 503,
  HUB_ERR_CONFIG: 500,
  HUB_ERR_STORE: 500,
  HUB_ERR_UNAVAILABLE: 503,
  HUB_ERR_NOTIFY_FAILED: 502,
  HUB_ERR_CSRF: 403,
  HUB_ERR_LOCKED: 429,
  HUB_ERR_THROTTLED: 429,
  HUB_ERR_TOTP_REQUIRED: 401,
  HUB_ERR_CONFLICT: 409,
  HUB_ERR_SESSION_LIMIT: 429,
  HUB_ERR_BUS: 503
}

/** A hub failure; its HTTP status follows from its code. */
export class HubError extends OutpostError {
  constructor (code: HubErrorCode, message: string, options: { details?: unknown, cause?: unknown } = {}) {
    super(code, message, { ...options, statusCode: STATUS[code] })
    this.name = 'HubError'
  }
}
