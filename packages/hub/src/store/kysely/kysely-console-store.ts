import { sql, type Kysely, type Selectable } from 'kysely'
import type { Role } from '@outpost/protocol'
import type { AuditRecord } from '../store.ts'
import type {
  AuditFilter, ConsoleStore, ConsoleUser, LiveSession, LockoutPolicy, NewConsoleUser, NewSession, SessionRecord, UserPatch
} from '../console-store.ts'
import { jsonCodec, type DbSchema, type JsonCodec } from './db-schema.ts'
import { toAudit } from './row-mappers.ts'
import { guard } from './store-guard.ts'

/** The tables (and the users columns) that migration 0003 adds. */
type ConsoleTables = {
  users: {
    email: string | null, groups: string, totp_secret: string | null, totp_last_step: number | null, disabled: number
    failed_logins: number, failed_since: number | null, locked_until: number | null
  }
  sessions: {
    token_hash: string, user_id: string, csrf_token: string, created_at: number, expires_at: number
    last_seen_at: number, viewing_host_id: string | null
  }
}
type Db = DbSchema & ConsoleTables
type UserRow = Selectable<Db['users']>
type SessionRow = Selectable<Db['sessions']>

/** Most audit entries one query returns. */
export const MAX_AUDIT_ROWS = 1000

/** `ConsoleStore` over Kysely, for both backends. */
export class KyselyConsoleStore implements ConsoleStore {
  readonly #db: Kysely<Db>
  readonly #json: JsonCodec

  constructor (db: Kysely<DbSchema>, kind: 'sqlite' | 'postgres') {
    this.#db = db.withTables<ConsoleTables>()
    this.#json = jsonCodec(kind)
  }

  createUser (u: NewConsoleUser): Promise<void> {
    return guard('createUser', async () => {
      await this.#db.insertInto('users').values({
        id: u.id, name: u.name, password_hash: u.passwordHash, role: u.role, created_at: u.createdAt, email: u.email,
        groups: JSON.stringify(u.groups), totp_secret: null, totp_last_step: null, disabled: 0, failed_logins: 0, failed_since: null, locked_until: null
      }).execute()
    })
  }

  getUser (name: string): Promise<ConsoleUser | undefined> {
    return guard('getUser', async () => {
      const row = await this.#db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst()
      return row === undefined ? undefined : toConsoleUser(row)
    })
  }

  getUserById (id: string): Promise<ConsoleUser | undefined> {
    return guard('getUserById', async () => {
      const row = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? undefined : toConsoleUser(row)
    })
  }

  listUsers (): Promise<ConsoleUser[]> {
    return guard('listUsers', async () => {
      const rows = await this.#db.selectFrom('users').selectAll().orderBy('name').execute()
      return rows.map(toConsoleUser)
    })
  }

  updateUser (name: string, p: UserPatch): Promise<ConsoleUser | undefined> {
    return guard('updateUser', async () => {
      const set: Partial<Db['users']> = {}
      if (p.role !== undefined) set.role = p.role
      if (p.email !== undefined) set.email = p.email
      if (p.groups !== undefined) set.groups = JSON.stringify(p.groups)
      if (p.disabled !== undefined) set.disabled = p.disabled ? 1 : 0
      if (p.passwordHash !== undefined) set.password_hash = p.passwordHash
      if (p.totpSecret !== undefined) {
        set.totp_secret = p.totpSecret
        set.totp_last_step = null
      }
      if (Object.keys(set).length === 0) return this.getUser(name)
      const row = await this.#db.updateTable('users').set(set).where('name', '=', name).returningAll().executeTakeFirst()
      return row === undefined ? undefined : toConsoleUser(row)
    })
  }

  countActiveAdmins (): Promise<number> {
    return guard('countActiveAdmins', async () => {
      const row = await this.#db.selectFrom('users').select((eb) => eb.fn.countAll().as('n'))
        .where('role', '=', 'admin').where('disabled', '=', 0).executeTakeFirstOrThrow()
      return Number(row.n)
    })
  }

  recordLoginFailure (userId: string, now: number, policy: LockoutPolicy): Promise<number | null> {
    return guard('recordLoginFailure', async () => {
      // One UPDATE per step: the row lock (PostgreSQL) or the single writer (SQLite) orders
      // concurrent failures, so none is lost between replicas.
      const fresh = sql<boolean>`failed_since is null or failed_since <= ${now - policy.windowMs}`
      const row = await this.#db.updateTable('users').set({
        failed_logins: sql`case when ${fresh} then 1 else failed_logins + 1 end`,
        failed_since: sql`case when ${fresh} then ${now} else failed_since end`
      }).where('id', '=', userId).returning(['failed_logins', 'locked_until']).executeTakeFirst()
      if (row === undefined) return null
      if (Number(row.failed_logins) < policy.maxFailures) return row.locked_until === null ? null : Number(row.locked_until)
      const lockedUntil = now + policy.lockMs
      await this.#db.updateTable('users').set({ locked_until: lockedUntil, failed_logins: 0, failed_since: null })
        .where('id', '=', userId).where('failed_logins', '>=', policy.maxFailures).execute()
      return lockedUntil
    })
  }

  clearLoginFailures (userId: string): Promise<void> {
    return guard('clearLoginFailures', async () => {
      await this.#db.updateTable('users').set({ failed_logins: 0, failed_since: null, locked_until: null }).where('id', '=', userId).execute()
    })
  }

  claimTotpStep (userId: string, step: number): Promise<boolean> {
    return guard('claimTotpStep', async () => {
      const res = await this.#db.updateTable('users').set({ totp_last_step: step }).where('id', '=', userId)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)])).executeTakeFirst()
      return res.numUpdatedRows === 1n
    })
  }

  createSession (s: NewSession): Promise<void> {
    return guard('createSession', async () => {
      await this.#db.insertInto('sessions').values({
        token_hash: s.tokenHash, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt,
        last_seen_at: s.createdAt, viewing_host_id: null
      }).execute()
    })
  }

  getSession (tokenHash: string): Promise<{ session: SessionRecord, user: ConsoleUser } | undefined> {
    return guard('getSession', async () => {
      const s = await this.#db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst()
      if (s === undefined) return undefined
      const u = await this.#db.selectFrom('users').selectAll().where('id', '=', s.user_id).executeTakeFirst()
      return u === undefined ? undefined : { session: toSession(s), user: toConsoleUser(u) }
    })
  }

  touchSession (tokenHash: string, now: number): Promise<void> {
    return guard('touchSession', async () => {
      await this.#db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).where('last_seen_at', '<', now).execute()
    })
  }

  setViewing (tokenHash: string, hostId: string | null, now: number): Promise<boolean> {
    return guard('setViewing', async () => {
      const res = await this.#db.updateTable('sessions')
        .set({ viewing_host_id: hostId, last_seen_at: sql`case when last_seen_at < ${now} then ${now} else last_seen_at end` })
        .where('token_hash', '=', tokenHash).executeTakeFirst()
      return res.numUpdatedRows === 1n
    })
  }

  deleteSession (tokenHash: string): Promise<boolean> {
    return guard('deleteSession', async () => {
      const res = await this.#db.deleteFrom('sessions').where('token_hash', '=', tokenHash).executeTakeFirst()
      return res.numDeletedRows === 1n
    })
  }

  deleteUserSessions (userId: string): Promise<number> {
    return guard('deleteUserSessions', async () => {
      const res = await this.#db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst()
      return Number(res.numDeletedRows)
    })
  }

  listLiveSessions (now: number, idleMs: number): Promise<LiveSession[]> {
    return guard('listLiveSessions', async () => {
      const rows = await this.#db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('sessions').select('users.name as user_name')
        .where('sessions.expires_at', '>', now).where('sessions.last_seen_at', '>', now - idleMs).where('users.disabled', '=', 0)
        .orderBy('sessions.created_at').orderBy('sessions.token_hash').execute()
      return rows.map((r) => ({ ...toSession(r), userName: r.user_name }))
    })
  }

  deleteDeadSessions (now: number, idleMs: number): Promise<number> {
    return guard('deleteDeadSessions', async () => {
      const res = await this.#db.deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)])).executeTakeFirst()
      return Number(res.numDeletedRows)
    })
  }

  queryAudit (q: AuditFilter): Promise<AuditRecord[]> {
    return guard('queryAudit', async () => {
      let query = this.#db.selectFrom('audit').selectAll()
      if (q.actor !== undefined) query = query.where('actor', '=', q.actor)
      if (q.action !== undefined) query = query.where('action', '=', q.action)
      if (q.target !== undefined) query = query.where('target', '=', q.target)
      const limit = Math.max(0, Math.min(MAX_AUDIT_ROWS, Math.floor(q.limit)))
      const rows = await query.orderBy('id', 'desc').limit(limit).execute()
      return rows.map((r) => toAudit(r, this.#json))
    })
  }
}

// Rows become records only here; only the store writes these columns.
function toConsoleUser (r: UserRow): ConsoleUser {
  const groups: unknown = JSON.parse(r.groups)
  return {
    id: r.id, name: r.name, passwordHash: r.password_hash, role: r.role as Role, createdAt: Number(r.created_at),
    email: r.email, groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    totpSecret: r.totp_secret, totpLastStep: num(r.totp_last_step), disabled: Number(r.disabled) !== 0,
    failedLogins: Number(r.failed_logins), failedSince: num(r.failed_since), lockedUntil: num(r.locked_until)
  }
}

function toSession (r: SessionRow): SessionRecord {
  return {
    tokenHash: r.token_hash, userId: r.user_id, csrfToken: r.csrf_token, createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at), lastSeenAt: Number(r.last_seen_at), viewingHostId: r.viewing_host_id
  }
}

const num = (v: number | null): number | null => (v === null ? null : Number(v))

