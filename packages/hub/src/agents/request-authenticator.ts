import type { KeyObject } from 'node:crypto'
import { AgentHeader, MAX_CLOCK_SKEW_MS, PROTOCOL_VERSION, ProtocolError, ProtocolErrorCode, importPublicKey, verifyRequestSignatureAsync } from '@outpost/protocol'
import type { Store } from '../store/store.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { ReplayGuard } from './replay-guard.ts'

/** The parts of an HTTP request the signature check needs. */
export interface SignedRequest {
  readonly method: string
  /** Path and query exactly as received. */
  readonly url: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: Uint8Array
}

/** Most agents' public keys kept decoded in memory (keys never change, so no invalidation). */
const KEY_CACHE_SIZE = 100_000

/**
 * Authenticates signed agent requests: protocol version, known agent, clock skew, Ed25519
 * signature over method, path, time, nonce and body hash, and a nonce never seen before.
 * The nonce is recorded only after the signature verified, so forgeries cannot fill the guard.
 */
export class RequestAuthenticator {
  readonly #store: Store
  readonly #now: () => number
  readonly #replay = new ReplayGuard(2 * MAX_CLOCK_SKEW_MS)
  readonly #keys = new Map<string, KeyObject>()
  /** Encoded keys of agents that connected over the WebSocket (see `publicKeyOf`). */
  readonly #rawKeys = new Map<string, string>()

  constructor (store: Store, now: () => number) {
    this.#store = store
    this.#now = now
  }

  /** Returns the agent id the request is from, or throws the reason it is refused. */
  async authenticate (req: SignedRequest): Promise<string> {
    const protocol = header(req, AgentHeader.Protocol)
    if (protocol !== String(PROTOCOL_VERSION)) {
      throw new ProtocolError(ProtocolErrorCode.Version, `this hub speaks protocol version ${PROTOCOL_VERSION}`, { details: { supported: [PROTOCOL_VERSION] } })
    }
    const agentId = header(req, AgentHeader.AgentId)
    const time = header(req, AgentHeader.Time)
    const nonce = header(req, AgentHeader.Nonce)
    const signature = header(req, AgentHeader.Signature)
    if (agentId === undefined || time === undefined || nonce === undefined || signature === undefined) {
      throw new HubError(HubErrorCode.Unauthenticated, 'missing request signature headers')
    }
    if (!/^[0-9]{1,16}$/.test(time) || nonce.length < 8 || nonce.length > 128 || agentId.length > 64) {
      throw new HubError(HubErrorCode.Unauthenticated, 'malformed request signature headers')
    }
    const now = this.#now()
    const t = Number(time)
    if (Math.abs(now - t) > MAX_CLOCK_SKEW_MS) {
      throw new HubError(HubErrorCode.ClockSkew, 'request time is too far from the hub clock', { details: { hubTime: now } })
    }
    const key = await this.#publicKey(agentId)
    const parts = { method: req.method, path: req.url, agentId, time, nonce, body: req.body }
    // On the thread pool: the verification is the largest CPU cost of a report, and the event
    // loop meanwhile parses, stores and answers other requests.
    if (key === undefined || !(await verifyRequestSignatureAsync(key, parts, signature))) {
      throw new HubError(HubErrorCode.Unauthenticated, 'request signature does not verify')
    }
    if (!this.#replay.check(agentId, nonce, t, now)) {
      throw new HubError(HubErrorCode.Replay, 'request was already received')
    }
    return agentId
  }

  /** The decoded public key of an enrolled agent, from memory or the store. */
  async #publicKey (agentId: string): Promise<KeyObject | undefined> {
    const cached = this.#keys.get(agentId)
    if (cached !== undefined) return cached
    const agent = await this.#store.getAgent(agentId)
    if (agent === undefined) return undefined
    const key = importPublicKey(agent.publicKey)
    if (this.#keys.size >= KEY_CACHE_SIZE) this.#keys.clear()
    this.#keys.set(agentId, key)
    return key
  }

  /**
   * The public key of an agent for an authenticator that needs it once per connection (the
   * WebSocket). Decoded on each call unless the signed-request cache has it: a decoded key holds
   * about 1 KB (most of it OpenSSL's) for as long as it is cached, the encoded one under 100 bytes,
   * and a WebSocket agent needs its key only when it (re)connects, where decoding costs a fraction
   * of the signature check.
   */
  async publicKeyOf (agentId: string): Promise<KeyObject | undefined> {
    const decoded = this.#keys.get(agentId)
    if (decoded !== undefined) return decoded
    let raw = this.#rawKeys.get(agentId)
    if (raw === undefined) {
      const agent = await this.#store.getAgent(agentId)
      if (agent === undefined) return undefined
      raw = agent.publicKey
      if (this.#rawKeys.size >= KEY_CACHE_SIZE) this.#rawKeys.clear()
      this.#rawKeys.set(agentId, raw)
    }
    return importPublicKey(raw)
  }
}

function header (req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name]
  return typeof v === 'string' ? v : undefined
}
