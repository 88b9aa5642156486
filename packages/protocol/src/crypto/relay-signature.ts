import crypto, { type KeyObject } from 'node:crypto'
import { Type, type Static } from '@sinclair/typebox'
import { sha256Hex, signBytes } from './ed25519.ts'

/** Routing headers of a CONNECT to an Outpost relay (the only thing a relay sees of the traffic). */
export const RelayHeader = {
  /** Downstream agent id, or `enroll:<tokenId>` for an agent enrolling through the relay. */
  AgentId: 'x-outpost-agent',
  Time: 'x-outpost-time',
  Nonce: 'x-outpost-nonce',
  Signature: 'x-outpost-signature',
  /** Comma-separated ids of the relays the CONNECT already went through (loop prevention). */
  Path: 'x-outpost-path'
} as const

/** Prefix of the `x-outpost-agent` value of an enrollment tunnel. */
export const RELAY_ENROLL_PREFIX = 'enroll:'
/** Most relays a CONNECT may have gone through. */
export const MAX_RELAY_HOPS = 8

/** The signed fields of one relay CONNECT. */
export interface RelayConnectParts {
  /** `host:port` of the CONNECT (the hub). */
  readonly target: string
  readonly agentId: string
  readonly time: string
  readonly nonce: string
  /** The `x-outpost-path` value as sent ('' on the first hop). */
  readonly path: string
}

/** The exact text signed for a relay CONNECT. */
export function relaySigningString (p: RelayConnectParts): string {
  return ['OUTPOST-RELAY-V1', p.target, p.agentId, p.time, p.nonce, p.path].join('\n')
}

/** Ed25519 signature of an enrolled agent (or relay) over a CONNECT. */
export function signRelayConnect (privateKey: KeyObject, p: RelayConnectParts): string {
  return signBytes(privateKey, relaySigningString(p))
}

/**
 * An agent that is not enrolled yet has no key the hub knows: it proves it holds the token with
 * an HMAC keyed by SHA-256(secret), which the hub stores. The relay never learns the secret.
 */
export function enrollRelaySignature (tokenSecret: string, p: RelayConnectParts): string {
  return enrollRelayMac(sha256Hex(tokenSecret), p)
}

/** The enrollment HMAC from the stored secret hash (the hub side). */
export function enrollRelayMac (secretHash: string, p: RelayConnectParts): string {
  return crypto.createHmac('sha256', secretHash).update(relaySigningString(p)).digest('base64url')
}

/** `POST /agent/v1/relay/verify` body: a relay asks the hub whether a downstream CONNECT is genuine. */
export const RelayVerifyRequest = Type.Object({
  target: Type.String({ minLength: 1, maxLength: 300 }),
  agentId: Type.String({ minLength: 1, maxLength: 80 }),
  time: Type.String({ pattern: '^[0-9]{1,16}$' }),
  nonce: Type.String({ minLength: 8, maxLength: 128 }),
  path: Type.String({ maxLength: 1024 }),
  signature: Type.String({ minLength: 1, maxLength: 200 })
}, { additionalProperties: false })
export type RelayVerifyRequest = Static<typeof RelayVerifyRequest>

/**
 * The hub's answer. `publicKey` (an enrolled agent's public key, never a secret) lets the relay
 * check that agent's later CONNECTs itself for a while.
 */
export const RelayVerifyAnswer = Type.Object({
  ok: Type.Boolean(),
  publicKey: Type.Optional(Type.String({ minLength: 43, maxLength: 43 })),
  reason: Type.Optional(Type.String({ maxLength: 200 }))
}, { additionalProperties: false })
export type RelayVerifyAnswer = Static<typeof RelayVerifyAnswer>
