import { HubError, HubErrorCode } from '../errors.ts'

/** The `HUB_ERR_BUS` error of a request that failed on the bus. */
export function busError (message: string, cause?: unknown): HubError {
  return new HubError(HubErrorCode.Bus, message, cause === undefined ? {} : { cause })
}

/**
 * The value inside a responder's answer (`{ ok }` or `{ error }`, as both buses wrap it), or
 * `HUB_ERR_BUS` when the responder failed or answered something else.
 */
export function replyValue (subject: string, answer: unknown): unknown {
  if (typeof answer === 'object' && answer !== null) {
    if ('ok' in answer) return (answer as { ok: unknown }).ok
    if ('error' in answer) throw busError(`the replica answering ${subject} failed: ${String((answer as { error: unknown }).error)}`)
  }
  throw busError(`unexpected answer on ${subject}`)
}
