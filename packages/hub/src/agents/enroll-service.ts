import {
  KNOWN_CAPABILITIES, PROTOCOL_VERSION, ProtocolError, ProtocolErrorCode, decodeEnrollToken, encodeEnrollToken,
  enrollSigningString, randomId, sha256Hex, verifyBytes, type EnrollRequest, type EnrolledMessage
} from '@outpost/protocol'
import type { Store } from '../store/store.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { AuditAction, type Actor, type AuditLog } from '../audit/audit-log.ts'

/** Longest an enrollment token may live. */
export const MAX_ENROLL_TOKEN_TTL_MS = 30 * 24 * 3600_000

/** What the enrollment service needs to know about the hub itself. */
export interface HubIdentity {
  readonly publicUrl: () => string
  readonly fingerprint: () => string
  /** base64url raw public key that signs instructions. */
  readonly hubKey: string
}

/** Issues enrollment tokens and turns a valid one into an agent identity (once). */
export class EnrollService {
  readonly #store: Store
  readonly #audit: AuditLog
  readonly #now: () => number
  readonly #hub: HubIdentity

  constructor (store: Store, audit: AuditLog, now: () => number, hub: HubIdentity) {
    this.#store = store
    this.#audit = audit
    this.#now = now
    this.#hub = hub
  }

  /** Makes a single-use token for `group` and returns it encoded (URL and fingerprint inside). */
  async createToken (opts: { ttlMs: number, group: string, createdBy: Actor }): Promise<string> {
    if (!Number.isSafeInteger(opts.ttlMs) || opts.ttlMs < 1000 || opts.ttlMs > MAX_ENROLL_TOKEN_TTL_MS) {
      throw new HubError(HubErrorCode.BadRequest, `token lifetime must be between 1 s and ${MAX_ENROLL_TOKEN_TTL_MS / 86_400_000} days`)
    }
    if (opts.group.length === 0 || opts.group.length > 128) throw new HubError(HubErrorCode.BadRequest, 'group must have 1 to 128 characters')
    const now = this.#now()
    const id = randomId(12)
    const secret = randomId(24)
    const expiresAt = now + opts.ttlMs
    await this.#store.createEnrollToken({ id, secretHash: sha256Hex(secret), group: opts.group, expiresAt, createdAt: now, createdBy: opts.createdBy })
    await this.#audit.record({ actor: opts.createdBy, action: AuditAction.EnrollTokenCreate, target: `enroll-token:${id}`, result: 'ok', detail: { group: opts.group, expiresAt } })
    return encodeEnrollToken({ id, secret, url: this.#hub.publicUrl(), fingerprint: this.#hub.fingerprint(), expiresAt })
  }

  /** Checks the request and the token, registers the agent's key and answers with its id. */
  async enroll (req: EnrollRequest): Promise<EnrolledMessage> {
    if (req.protocolVersion !== PROTOCOL_VERSION) {
      throw new ProtocolError(ProtocolErrorCode.Version, `this hub speaks protocol version ${PROTOCOL_VERSION}`, { details: { supported: [PROTOCOL_VERSION] } })
    }
    const unknown = req.capabilities.filter(c => !(KNOWN_CAPABILITIES as readonly string[]).includes(c))
    if (unknown.length > 0) throw new ProtocolError(ProtocolErrorCode.Capability, 'unknown capabilities', { details: { unknown } })
    const token = decodeEnrollToken(req.token)
    if (!verifyBytes(req.publicKey, enrollSigningString(token.id, req.publicKey, req.hostname), req.proof)) {
      throw new ProtocolError(ProtocolErrorCode.BadSignature, 'enrollment proof does not verify with the given public key', { statusCode: 401 })
    }
    const agentId = randomId(16)
    const agent = await this.#store.enrollAgent(token.id, sha256Hex(token.secret), { id: agentId, name: req.hostname, publicKey: req.publicKey, enrolledAt: this.#now() })
    if (agent === undefined) {
      await this.#audit.record({ actor: `enroll-token:${token.id}`, action: AuditAction.AgentEnroll, target: `host:${req.hostname}`, result: 'denied', detail: { reason: 'token unknown, expired or used' } })
      throw new HubError(HubErrorCode.EnrollRefused, 'enrollment token is unknown, expired or already used')
    }
    await this.#audit.record({ actor: `agent:${agent.id}`, action: AuditAction.AgentEnroll, target: `host:${agent.id}`, result: 'ok', detail: { name: agent.name, group: agent.group, tokenId: token.id } })
    return { type: 'enrolled', agentId: agent.id, hubKey: this.#hub.hubKey, protocolVersion: PROTOCOL_VERSION, capabilities: [...KNOWN_CAPABILITIES] }
  }
}
