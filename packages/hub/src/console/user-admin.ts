import { randomId, Role, type UserView } from '@outpost/protocol'
import type { ConsoleStore, ConsoleUser, UserPatch } from '../store/console-store.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { AuditAction, type Actor, type AuditLog } from '../audit/audit-log.ts'
import { hashPassword } from '../auth/password-hash.ts'
import { newTotpSecret, otpauthUri } from '../auth/totp.ts'
import type { PresenceService } from './presence-service.ts'
import type { LiveStreams } from './live-streams.ts'

/** Issuer shown in authenticator apps. */
export const TOTP_ISSUER = 'Outpost'

/** What `updateUser` may change, as the API takes it (a clear password is hashed here). */
export interface UserChange {
  readonly role?: Role | undefined
  readonly email?: string | null | undefined
  readonly groups?: readonly string[] | undefined
  readonly disabled?: boolean | undefined
  readonly password?: string | undefined
}

/**
 * User administration with its side effects: every change is audited; disabling a user or
 * changing their password ends their sessions and event streams; the last active admin cannot be
 * demoted or disabled (the hub would have nobody to manage it).
 */
export class UserAdmin {
  readonly #store: ConsoleStore
  readonly #audit: AuditLog
  readonly #now: () => number
  readonly #presence: PresenceService
  readonly #live: LiveStreams

  constructor (d: { store: ConsoleStore, audit: AuditLog, now: () => number, presence: PresenceService, live: LiveStreams }) {
    this.#store = d.store
    this.#audit = d.audit
    this.#now = d.now
    this.#presence = d.presence
    this.#live = d.live
  }

  async list (): Promise<UserView[]> {
    return (await this.#store.listUsers()).map((u) => this.view(u))
  }

  async get (name: string): Promise<ConsoleUser> {
    const u = await this.#store.getUser(name)
    if (u === undefined) throw new HubError(HubErrorCode.NotFound, 'no such user')
    return u
  }

  async create (u: { name: string, password: string, role: Role, email?: string | undefined, groups?: readonly string[] | undefined }, actor: Actor): Promise<UserView> {
    if (await this.#store.getUser(u.name) !== undefined) throw new HubError(HubErrorCode.Conflict, `user "${u.name}" exists already`)
    await this.#store.createUser({
      id: randomId(12), name: u.name, passwordHash: await hashPassword(u.password), role: u.role, createdAt: this.#now(), email: u.email ?? null, groups: u.groups ?? []
    })
    await this.#audit.record({ actor, action: AuditAction.UserCreate, target: `user:${u.name}`, result: 'ok', detail: { role: u.role, groups: u.groups ?? [] } })
    return this.view(await this.get(u.name))
  }

  async update (name: string, c: UserChange, actor: Actor): Promise<UserView> {
    const before = await this.get(name)
    const staysActiveAdmin = (c.role ?? before.role) === Role.Admin && !(c.disabled ?? before.disabled)
    if (before.role === Role.Admin && !before.disabled && !staysActiveAdmin && await this.#store.countActiveAdmins() <= 1) {
      await this.#audit.record({ actor, action: AuditAction.UserUpdate, target: `user:${name}`, result: 'denied', detail: { reason: 'last-admin' } })
      throw new HubError(HubErrorCode.Conflict, 'this is the last active admin: make another admin first')
    }
    const patch: UserPatch = {
      ...(c.role === undefined ? {} : { role: c.role }),
      ...(c.email === undefined ? {} : { email: c.email }),
      ...(c.groups === undefined ? {} : { groups: c.groups }),
      ...(c.disabled === undefined ? {} : { disabled: c.disabled }),
      ...(c.password === undefined ? {} : { passwordHash: await hashPassword(c.password) })
    }
    const after = await this.#store.updateUser(name, patch)
    if (after === undefined) throw new HubError(HubErrorCode.NotFound, 'no such user')
    const changed = Object.keys(c).filter((k) => c[k as keyof UserChange] !== undefined)
    // The password itself never goes into the log, only that it changed.
    await this.#audit.record({ actor, action: AuditAction.UserUpdate, target: `user:${name}`, result: 'ok', detail: { changed, ...(c.role === undefined ? {} : { role: c.role }), ...(c.disabled === undefined ? {} : { disabled: c.disabled }) } })
    if (c.disabled === true || c.password !== undefined) await this.#endSessions(after)
    return this.view(after)
  }

  /** Makes a new TOTP secret for the user (replacing any); the secret is returned this once. */
  async enableTotp (name: string, actor: Actor): Promise<{ secret: string, uri: string }> {
    await this.get(name)
    const secret = newTotpSecret()
    await this.#store.updateUser(name, { totpSecret: secret })
    await this.#audit.record({ actor, action: AuditAction.TotpEnable, target: `user:${name}`, result: 'ok' })
    return { secret, uri: otpauthUri(TOTP_ISSUER, name, secret) }
  }

  async disableTotp (name: string, actor: Actor): Promise<UserView> {
    await this.get(name)
    const after = await this.#store.updateUser(name, { totpSecret: null })
    if (after === undefined) throw new HubError(HubErrorCode.NotFound, 'no such user')
    await this.#audit.record({ actor, action: AuditAction.TotpDisable, target: `user:${name}`, result: 'ok' })
    return this.view(after)
  }

  /** A user as the API shows it (no hash, no secret). */
  view (u: ConsoleUser): UserView {
    const locked = u.lockedUntil !== null && u.lockedUntil > this.#now() ? new Date(u.lockedUntil).toISOString() : null
    return {
      name: u.name, role: u.role, email: u.email, groups: [...u.groups], totpEnabled: u.totpSecret !== null,
      disabled: u.disabled, lockedUntil: locked, createdAt: new Date(u.createdAt).toISOString()
    }
  }

  async #endSessions (u: ConsoleUser): Promise<void> {
    await this.#store.deleteUserSessions(u.id)
    this.#live.endUser(`user:${u.name}`)
    await this.#presence.publish()
  }
}
