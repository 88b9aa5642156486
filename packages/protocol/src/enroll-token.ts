import { Type, type Static } from '@sinclair/typebox'
import { ProtocolError, ProtocolErrorCode } from './errors.ts'
import { isValid } from './validate.ts'

const PREFIX = 'opt1_'

/** What an enrollment token carries. Only `secret` is confidential; the hub stores its hash. */
export const EnrollTokenPayload = Type.Object({
  /** Token id (public, names the row). */
  id: Type.String({ minLength: 8, maxLength: 64 }),
  /** Random secret; proves the bearer was given this token. */
  secret: Type.String({ minLength: 16, maxLength: 128 }),
  /** The hub's public base URL, e.g. `https://hub.example.net:8443`. */
  url: Type.String({ pattern: '^https://', maxLength: 2048 }),
  /** SHA-256 fingerprint of the hub's TLS certificate: 64 hex digits, lower case. */
  fingerprint: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** Expiry, milliseconds since the epoch. */
  expiresAt: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type EnrollTokenPayload = Static<typeof EnrollTokenPayload>

/** Encodes a token as one copy-pasteable word. */
export function encodeEnrollToken (p: EnrollTokenPayload): string {
  return PREFIX + Buffer.from(JSON.stringify(p)).toString('base64url')
}

/** Decodes a token; throws `PROTO_ERR_BAD_TOKEN` if it is not one. */
export function decodeEnrollToken (token: string): EnrollTokenPayload {
  if (!token.startsWith(PREFIX)) throw new ProtocolError(ProtocolErrorCode.BadToken, 'not an Outpost enrollment token (it should start with "opt1_")')
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8'))
  } catch (cause) {
    throw new ProtocolError(ProtocolErrorCode.BadToken, 'enrollment token is damaged', { cause })
  }
  if (!isValid(EnrollTokenPayload, value)) throw new ProtocolError(ProtocolErrorCode.BadToken, 'enrollment token is damaged')
  return value
}

/** Normalises a certificate fingerprint (`AA:BB:…` or hex) to 64 lower-case hex digits. */
export function normalizeFingerprint (fp: string): string {
  return fp.replaceAll(':', '').toLowerCase()
}
