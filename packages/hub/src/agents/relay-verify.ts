import crypto from 'node:crypto'
import {
  MAX_CLOCK_SKEW_MS, RELAY_ENROLL_PREFIX, enrollRelayMac, verifyBytesAsync, relaySigningString,
  type RelayVerifyAnswer, type RelayVerifyRequest
} from '@outpost/protocol'
import type { Store } from '../store/store.ts'

/**
 * Answers a relay that asks whether a downstream agent's CONNECT is genuine. The hub, not the
 * relay, holds the keys and token hashes, so a relay can only forward for agents the hub knows.
 * Replays are the relay's to refuse (it sees the nonces); the hub refuses stale times.
 */
export async function verifyRelayConnect (store: Store, req: RelayVerifyRequest, relayId: string, now: number): Promise<RelayVerifyAnswer> {
  if (Math.abs(now - Number(req.time)) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'time too far from the hub clock' }
  // A relay may not vouch for itself through its own path (it would be the loop it must refuse).
  if (req.path.split(',').includes(relayId)) return { ok: false, reason: 'the asking relay is already in the path' }
  if (req.agentId.startsWith(RELAY_ENROLL_PREFIX)) {
    const token = await store.getEnrollToken(req.agentId.slice(RELAY_ENROLL_PREFIX.length))
    if (token === undefined || token.usedAt !== null || token.expiresAt <= now) return { ok: false, reason: 'enrollment token unknown, expired or used' }
    const want = Buffer.from(enrollRelayMac(token.secretHash, req))
    const got = Buffer.from(req.signature)
    return want.length === got.length && crypto.timingSafeEqual(want, got) ? { ok: true } : { ok: false, reason: 'signature does not verify' }
  }
  const agent = await store.getAgent(req.agentId)
  if (agent === undefined) return { ok: false, reason: 'unknown agent' }
  const ok = await verifyBytesAsync(agent.publicKey, relaySigningString(req), req.signature)
  return ok ? { ok: true, publicKey: agent.publicKey } : { ok: false, reason: 'signature does not verify' }
}
