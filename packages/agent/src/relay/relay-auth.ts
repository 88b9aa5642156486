import type { KeyObject } from 'node:crypto'
import {
  MAX_CLOCK_SKEW_MS, RELAY_ENROLL_PREFIX, importPublicKey, relaySigningString, verifyBytesAsync,
  type RelayVerifyAnswer, type RelayVerifyRequest
} from '@outpost/protocol'

/** How long a verified agent's public key is used to check its CONNECTs without asking the hub. */
export const RELAY_KEY_CACHE_MS = 5 * 60_000
/** How long an "unknown agent" answer is remembered. */
export const RELAY_NEGATIVE_CACHE_MS = 10_000
/** Most nonces remembered (one per CONNECT within the skew window). */
const MAX_NONCES = 200_000

/** Why a CONNECT is refused. */
export type RelayAuthFailure = 'unsigned' | 'forged' | 'replayed' | 'stale' | 'hub-unreachable'

/**
 * Decides whether a downstream CONNECT is from an agent the hub knows. The hub checks the first
 * signature of an agent (and every enrollment); its answer carries the agent's public key, with
 * which the relay checks that agent's next CONNECTs itself for a few minutes. Nonces are kept
 * for the whole skew window, so a captured CONNECT cannot be replayed to this relay.
 */
export class RelayAuthenticator {
  readonly #askHub: (req: RelayVerifyRequest) => Promise<RelayVerifyAnswer>
  readonly #now: () => number
  readonly #keys = new Map<string, { key: KeyObject, until: number }>()
  readonly #unknown = new Map<string, number>()
  readonly #nonces = new Map<string, number>()

  constructor (askHub: (req: RelayVerifyRequest) => Promise<RelayVerifyAnswer>, now: () => number) {
    this.#askHub = askHub
    this.#now = now
  }

  /** `undefined` when the CONNECT is genuine and fresh, else the reason it is refused. */
  async check (req: Partial<RelayVerifyRequest>): Promise<RelayAuthFailure | undefined> {
    const { agentId, time, nonce, signature, target } = req
    if (agentId === undefined || time === undefined || nonce === undefined || signature === undefined || target === undefined) return 'unsigned'
    if (!/^[0-9]{1,16}$/.test(time) || nonce.length < 8 || nonce.length > 128 || agentId.length > 80 || signature.length > 200) return 'unsigned'
    const now = this.#now()
    if (Math.abs(now - Number(time)) > MAX_CLOCK_SKEW_MS) return 'stale'
    const full: RelayVerifyRequest = { target, agentId, time, nonce, signature, path: req.path ?? '' }
    const verdict = await this.#verify(full, now)
    if (verdict !== undefined) return verdict
    // Recorded only once the signature verified, so forgeries cannot fill the set.
    return this.#fresh(agentId, nonce, Number(time), now) ? undefined : 'replayed'
  }

  async #verify (req: RelayVerifyRequest, now: number): Promise<RelayAuthFailure | undefined> {
    const cached = this.#keys.get(req.agentId)
    if (cached !== undefined && cached.until > now) {
      return (await verifyBytesAsync(cached.key, relaySigningString(req), req.signature)) ? undefined : 'forged'
    }
    if ((this.#unknown.get(req.agentId) ?? 0) > now) return 'forged'
    let answer: RelayVerifyAnswer
    try {
      answer = await this.#askHub(req)
    } catch {
      return 'hub-unreachable'
    }
    if (!answer.ok) {
      if (answer.reason === 'unknown agent') this.#unknown.set(req.agentId, now + RELAY_NEGATIVE_CACHE_MS)
      return 'forged'
    }
    if (answer.publicKey !== undefined && !req.agentId.startsWith(RELAY_ENROLL_PREFIX)) {
      if (this.#keys.size > 10_000) this.#keys.clear()
      this.#keys.set(req.agentId, { key: importPublicKey(answer.publicKey), until: now + RELAY_KEY_CACHE_MS })
    }
    return undefined
  }

  #fresh (agentId: string, nonce: string, time: number, now: number): boolean {
    const k = `${agentId}\n${nonce}`
    if (this.#nonces.has(k)) return false
    if (this.#nonces.size >= MAX_NONCES) {
      for (const [key, exp] of this.#nonces) if (exp <= now) this.#nonces.delete(key)
      if (this.#nonces.size >= MAX_NONCES) return false
    }
    this.#nonces.set(k, time + MAX_CLOCK_SKEW_MS + 1)
    return true
  }
}
