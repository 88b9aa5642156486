import type { KeyObject } from 'node:crypto'
import { sha256Hex, signBytes, verifyBytes, verifyBytesAsync, randomId } from './ed25519.ts'

/** HTTP headers carrying an agent's request signature. */
export const AgentHeader = {
  AgentId: 'x-outpost-agent',
  Time: 'x-outpost-time',
  Nonce: 'x-outpost-nonce',
  Signature: 'x-outpost-signature',
  Protocol: 'x-outpost-protocol'
} as const

/** How far an agent's clock may be from the hub's before its requests are refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000

/** The fields a request signature covers. */
export interface SignedRequestParts {
  readonly method: string
  /** Path and query exactly as sent, e.g. `/agent/v1/messages`. */
  readonly path: string
  readonly agentId: string
  /** Milliseconds since the epoch, as a decimal string. */
  readonly time: string
  readonly nonce: string
  readonly body: Uint8Array | string
}

/** The exact text an agent signs for one HTTP request. */
export function requestSigningString (p: SignedRequestParts): string {
  return ['OUTPOST-REQ-V1', p.method.toUpperCase(), p.path, p.agentId, p.time, p.nonce, sha256Hex(p.body)].join('\n')
}

/** Builds the signature headers for a request (the agent side). */
export function signRequest (privateKey: KeyObject, p: Omit<SignedRequestParts, 'time' | 'nonce'>, now = Date.now()): Record<string, string> {
  const time = String(now)
  const nonce = randomId(16)
  const signature = signBytes(privateKey, requestSigningString({ ...p, time, nonce }))
  return {
    [AgentHeader.AgentId]: p.agentId,
    [AgentHeader.Time]: time,
    [AgentHeader.Nonce]: nonce,
    [AgentHeader.Signature]: signature
  }
}

/** Verifies a request signature (the hub side). Freshness and nonce reuse are checked by the caller. */
export function verifyRequestSignature (publicKey: KeyObject | string, p: SignedRequestParts, signature: string): boolean {
  return verifyBytes(publicKey, requestSigningString(p), signature)
}

/** `verifyRequestSignature` on libuv's thread pool (see `verifyBytesAsync`). */
export function verifyRequestSignatureAsync (publicKey: KeyObject | string, p: SignedRequestParts, signature: string): Promise<boolean> {
  return verifyBytesAsync(publicKey, requestSigningString(p), signature)
}

/** The exact text an agent signs to answer a WebSocket challenge. */
export function wsAuthSigningString (challenge: string, agentId: string, time: string): string {
  return ['OUTPOST-WS-AUTH-V1', challenge, agentId, time].join('\n')
}

/** The exact text a new agent signs at enrollment to prove it holds the private key. */
export function enrollSigningString (tokenId: string, publicKey: string, hostname: string): string {
  return ['OUTPOST-ENROLL-V1', tokenId, publicKey, hostname].join('\n')
}
