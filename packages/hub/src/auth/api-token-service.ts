import { randomId, sha256Hex, type Role } from '@outpost/protocol'
import type { Store } from '../store/store.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { AuditAction, type Actor, type AuditLog } from '../audit/audit-log.ts'

/** API tokens start with this so that they are recognisable in a leaked config or log. */
export const API_TOKEN_PREFIX = 'opa_'

/** Who an authenticated operator request acts as. */
export interface OperatorIdentity {
  readonly actor: Actor
  readonly role: Role
  /** The user it acts for, when there is one (a disabled user's tokens stop working). */
  readonly userId?: string
  /** Host groups the operator may see; absent or empty: all. */
  readonly groups?: readonly string[]
  /** Set when authenticated by the console's session cookie (see session-service.ts). */
  readonly session?: OperatorSession
}

/** The console session a request came with. */
export interface OperatorSession {
  /** SHA-256 hex of the cookie value. */
  readonly tokenHash: string
  readonly csrfToken: string
  readonly userName: string
  readonly createdAt: number
  readonly expiresAt: number
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 }

/** True when `role` is at least `needed` (viewer < operator < admin). */
export function roleAllows (role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed]
}

/** Creates and checks bearer API tokens. Only the SHA-256 of a secret is stored. */
export class ApiTokenService {
  readonly #store: Store
  readonly #audit: AuditLog
  readonly #now: () => number

  constructor (store: Store, audit: AuditLog, now: () => number) {
    this.#store = store
    this.#audit = audit
    this.#now = now
  }

  /** Makes a token and returns its secret, which is shown once and never stored. */
  async create (opts: { name: string, role: Role, createdBy: Actor }): Promise<string> {
    const secret = API_TOKEN_PREFIX + randomId(32)
    await this.#store.createApiToken({ id: randomId(12), name: opts.name, tokenHash: sha256Hex(secret), role: opts.role, userId: null, createdAt: this.#now() })
    await this.#audit.record({ actor: opts.createdBy, action: AuditAction.ApiTokenCreate, target: `token:${opts.name}`, result: 'ok', detail: { role: opts.role } })
    return secret
  }

  /** Resolves an `Authorization` header to an identity, or throws `HUB_ERR_UNAUTHENTICATED`. */
  async authenticate (authorization: string | undefined): Promise<OperatorIdentity> {
    const m = authorization === undefined ? null : /^Bearer ([A-Za-z0-9_-]{8,200})$/.exec(authorization)
    if (m === null || m[1] === undefined) throw new HubError(HubErrorCode.Unauthenticated, 'send "Authorization: Bearer <API token>"')
    const record = await this.#store.useApiToken(sha256Hex(m[1]), this.#now())
    if (record === undefined) throw new HubError(HubErrorCode.Unauthenticated, 'unknown API token')
    return record.userId === null ? { actor: `token:${record.name}`, role: record.role } : { actor: `token:${record.name}`, role: record.role, userId: record.userId }
  }
}
