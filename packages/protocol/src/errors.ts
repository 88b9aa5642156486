import { Type, type Static } from '@sinclair/typebox'

/**
 * Error codes that cross the wire. Callers match on `code`, never on the class.
 * Every code is documented in docs/errors.md (a test checks it).
 */
export const ProtocolErrorCode = {
  /** The body is not JSON or does not match the message schema. */
  Invalid: 'PROTO_ERR_INVALID',
  /** The body exceeds the size limit of the endpoint. */
  TooLarge: 'PROTO_ERR_TOO_LARGE',
  /** The peer speaks a protocol version this build does not. */
  Version: 'PROTO_ERR_VERSION',
  /** The peer announced a capability this build does not know. */
  Capability: 'PROTO_ERR_CAPABILITY',
  /** An enrollment token could not be decoded. */
  BadToken: 'PROTO_ERR_BAD_TOKEN',
  /** A signature did not verify. */
  BadSignature: 'PROTO_ERR_BAD_SIGNATURE'
} as const
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode]

/** The one error envelope every endpoint answers with: `{ "error": { code, message, details? } }`. */
export const WireError = Type.Object({
  /** Stable machine-readable code such as `HUB_ERR_UNAUTHENTICATED`. */
  code: Type.String({ minLength: 1, maxLength: 64 }),
  /** Human-readable explanation; never contains internal state. */
  message: Type.String({ maxLength: 4096 }),
  /** Optional structured detail, e.g. validation failures. */
  details: Type.Optional(Type.Unknown())
}, { additionalProperties: false })
export type WireError = Static<typeof WireError>

export const ErrorEnvelope = Type.Object({ error: WireError }, { additionalProperties: false })
export type ErrorEnvelope = Static<typeof ErrorEnvelope>

/** Base class for every Outpost error: a stable `code`, an HTTP status, and a `cause` passed through. */
export class OutpostError extends Error {
  readonly code: string
  readonly statusCode: number
  readonly details: unknown
  constructor (code: string, message: string, options: { statusCode?: number, details?: unknown, cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'OutpostError'
    this.code = code
    this.statusCode = options.statusCode ?? 500
    this.details = options.details
  }
}

/** A message failed schema validation or could not be decoded. */
export class ProtocolError extends OutpostError {
  constructor (code: ProtocolErrorCode, message: string, options: { statusCode?: number, details?: unknown, cause?: unknown } = {}) {
    super(code, message, { statusCode: 400, ...options })
    this.name = 'ProtocolError'
  }
}

/** The single conversion from an error to its wire form. Unknown errors never leak their message. */
export function toWireError (err: unknown): WireError {
  if (err instanceof OutpostError) {
    return err.details === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, details: err.details }
  }
  return { code: 'ERR_INTERNAL', message: 'internal error' }
}

/** The single conversion from a wire error back to an `OutpostError` on the receiving side. */
export function fromWireError (wire: WireError, statusCode = 500): OutpostError {
  return new OutpostError(wire.code, wire.message, { statusCode, details: wire.details })
}
