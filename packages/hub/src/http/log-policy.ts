import type { FastifyBaseLogger } from 'fastify'
import type { HttpFailure } from './error-mapping.ts'

/**
 * The hub's one logging policy for requests: a request that failed because of the hub (5xx but
 * load shedding) is logged at error with its cause, a refused request (4xx, 503) at info, and the
 * end of every request at debug. Nothing else logs request outcomes.
 */
export function logFailure (log: FastifyBaseLogger, failure: HttpFailure, err: unknown): void {
  if (failure.internal) {
    log.error({ err, statusCode: failure.statusCode }, 'request failed')
  } else {
    log.info({ statusCode: failure.statusCode, code: failure.body.error.code, reason: failure.body.error.message }, 'request refused')
  }
}

/** Logs the end of a request. */
export function logCompletion (log: FastifyBaseLogger, statusCode: number, elapsedMs: number): void {
  log.debug({ statusCode, elapsedMs: Math.round(elapsedMs * 10) / 10 }, 'request completed')
}

/** Logs a failure outside HTTP (WebSocket frames, background work) with the same levels. */
export function logBackgroundFailure (log: FastifyBaseLogger, failure: HttpFailure, err: unknown, what: string): void {
  if (failure.internal) log.error({ err }, `${what} failed`)
  else log.info({ code: failure.body.error.code, reason: failure.body.error.message }, `${what} refused`)
}
