import { timingSafeEqual } from 'node:crypto'
import { sql, type Kysely, type Transaction } from 'kysely'
import type { AgentEvent } from '@outpost/protocol'
import type {
  AgentRecord, ApiTokenRecord, AuditRecord, CommandRecord, CommandResult, HostSummaryRecord, IngestReport, MetricPoint,
  NewAgent, NewApiToken, NewAuditEntry, NewCommand, NewEnrollToken, NewUser, Store, UserRecord
} from '../store.ts'
import { jsonCodec, type DbSchema, type JsonCodec } from './db-schema.ts'
import { toAgent, toApiToken, toAudit, toCommand, toEvent, toHostSummary, toUser } from './row-mappers.ts'
import { AUDIT_GENESIS_HASH, auditHash } from './audit-chain.ts'
import { unpackValue, VALUE_BYTES } from './metric-samples.ts'
import type { ConsoleStore } from '../console-store.ts'
import { KyselyConsoleStore } from './kysely-console-store.ts'
import { KyselyAlertStore } from './kysely-alert-store.ts'
import { KyselyJobStore } from './kysely-job-store.ts'
import { KyselySessionStore } from './kysely-session-store.ts'
import { KyselyTopologyStore } from './topology-kysely-store.ts'
import { guard } from './store-guard.ts'

/** What differs between the two backends; everything else is shared Kysely code. */
export interface StoreBackend {
  readonly kind: 'sqlite' | 'postgres'
  readonly db: Kysely<DbSchema>
  /** The hot path, written against each driver directly. */
  ingest (reports: readonly IngestReport[]): Promise<void>
  migrate (): Promise<void>
  close (): Promise<void>
  /** Serialises audit appends across hub replicas (inside `trx`). */
  lockAudit (trx: Transaction<DbSchema>): Promise<void>
}

/** The largest page any list or range query returns, whatever the caller asks. */
export const MAX_QUERY_ROWS = 100_000

/** How many ids one `listHostSummaries` statement asks for. */
const SUMMARY_CHUNK = 500

/** The `Store` port over Kysely, shared by the SQLite and PostgreSQL backends. */
export class KyselyStore implements Store {
  readonly kind: 'sqlite' | 'postgres'
  readonly console: ConsoleStore
  readonly #b: StoreBackend
  readonly #db: Kysely<DbSchema>
  readonly #json: JsonCodec
  readonly alerts: KyselyAlertStore
  readonly sessions: KyselySessionStore
  readonly jobs: KyselyJobStore
  readonly topology: KyselyTopologyStore

  constructor (backend: StoreBackend) {
    this.kind = backend.kind
    this.#b = backend
    this.#db = backend.db
    this.#json = jsonCodec(backend.kind)
    this.console = new KyselyConsoleStore(backend.db, backend.kind)
    this.alerts = new KyselyAlertStore(backend.db, backend.kind)
    this.sessions = new KyselySessionStore(backend.db)
    this.jobs = new KyselyJobStore(backend.db, backend.kind)
    this.topology = new KyselyTopologyStore(backend.db, backend.kind)
  }

  migrate (): Promise<void> { return this.#b.migrate() }
  close (): Promise<void> { return this.#b.close() }

  getSetting (key: string): Promise<string | undefined> {
    return guard('getSetting', async () => {
      const row = await this.#db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst()
      return row?.value
    })
  }

  putSettingIfAbsent (key: string, value: string): Promise<string> {
    return guard('putSettingIfAbsent', async () => {
      await this.#db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute()
      const row = await this.#db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()
      return row.value
    })
  }

  createUser (u: NewUser): Promise<void> {
    return guard('createUser', async () => {
      await this.#db.insertInto('users').values({ id: u.id, name: u.name, password_hash: u.passwordHash, role: u.role, created_at: u.createdAt }).execute()
    })
  }

  findUserByName (name: string): Promise<UserRecord | undefined> {
    return guard('findUserByName', async () => {
      const row = await this.#db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst()
      return row === undefined ? undefined : toUser(row)
    })
  }

  countUsers (): Promise<number> {
    return guard('countUsers', async () => {
      const row = await this.#db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
      return Number(row.n)
    })
  }

  createApiToken (t: NewApiToken): Promise<void> {
    return guard('createApiToken', async () => {
      await this.#db.insertInto('api_tokens').values({
        id: t.id, name: t.name, token_hash: t.tokenHash, role: t.role, user_id: t.userId, created_at: t.createdAt, last_used_at: null
      }).execute()
    })
  }

  useApiToken (tokenHash: string, now: number): Promise<ApiTokenRecord | undefined> {
    return guard('useApiToken', async () => {
      const row = await this.#db.updateTable('api_tokens').set({ last_used_at: now }).where('token_hash', '=', tokenHash).returningAll().executeTakeFirst()
      return row === undefined ? undefined : toApiToken(row)
    })
  }

  createEnrollToken (t: NewEnrollToken): Promise<void> {
    return guard('createEnrollToken', async () => {
      await this.#db.insertInto('enroll_tokens').values({
        id: t.id, secret_hash: t.secretHash, group_name: t.group, expires_at: t.expiresAt, created_at: t.createdAt, created_by: t.createdBy, used_at: null, used_by: null
      }).execute()
    })
  }

  /** `agent.enrolledAt` is the hub's "now" for the expiry check. */
  enrollAgent (tokenId: string, secretHash: string, agent: NewAgent): Promise<AgentRecord | undefined> {
    return guard('enrollAgent', () => this.#db.transaction().execute(async (trx) => {
      const token = await trx.selectFrom('enroll_tokens').selectAll().where('id', '=', tokenId).executeTakeFirst()
      if (token === undefined || !sameHash(token.secret_hash, secretHash)) return undefined
      if (token.used_at !== null || Number(token.expires_at) <= agent.enrolledAt) return undefined
      // The condition on used_at makes the claim atomic: of two concurrent enrolments with one
      // token, the second finds the row already claimed (PostgreSQL re-checks it after the
      // first commits; SQLite runs one write transaction at a time).
      const claimed = await trx.updateTable('enroll_tokens').set({ used_at: agent.enrolledAt, used_by: agent.id })
        .where('id', '=', tokenId).where('used_at', 'is', null).executeTakeFirst()
      if (claimed.numUpdatedRows !== 1n) return undefined
      const row = await trx.insertInto('agents').values({
        id: agent.id, name: agent.name, group_name: token.group_name, public_key: agent.publicKey, enrolled_at: agent.enrolledAt,
        last_seen: null, inventory: null, inventory_at: null, snapshot: null, snapshot_at: null, os: ''
      }).returningAll().executeTakeFirstOrThrow()
      return toAgent(row, this.#json)
    }))
  }

  getEnrollToken (id: string): Promise<{ readonly secretHash: string, readonly expiresAt: number, readonly usedAt: number | null } | undefined> {
    return guard('getEnrollToken', async () => {
      const row = await this.#db.selectFrom('enroll_tokens').select(['secret_hash', 'expires_at', 'used_at']).where('id', '=', id).executeTakeFirst()
      return row === undefined ? undefined : { secretHash: row.secret_hash, expiresAt: Number(row.expires_at), usedAt: row.used_at === null ? null : Number(row.used_at) }
    })
  }

  getAgent (id: string): Promise<AgentRecord | undefined> {
    return guard('getAgent', async () => {
      const row = await this.#db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? undefined : toAgent(row, this.#json)
    })
  }

  listAgents (): Promise<AgentRecord[]> {
    return guard('listAgents', async () => {
      const rows = await this.#db.selectFrom('agents').selectAll().orderBy('name').orderBy('id').execute()
      return rows.map((r) => toAgent(r, this.#json))
    })
  }

  listHostSummaries (ids?: readonly string[]): Promise<HostSummaryRecord[]> {
    return guard('listHostSummaries', async () => {
      const base = this.#db.selectFrom('agents').select(['id', 'name', 'group_name', 'enrolled_at', 'last_seen', 'os'])
      if (ids === undefined) return (await base.orderBy('name').orderBy('id').execute()).map(toHostSummary)
      const unique = [...new Set(ids)]
      const out: HostSummaryRecord[] = []
      // Chunks keep each statement well under SQLite's bound-parameter limit.
      for (let i = 0; i < unique.length; i += SUMMARY_CHUNK) {
        const rows = await base.where('id', 'in', unique.slice(i, i + SUMMARY_CHUNK)).execute()
        for (const r of rows) out.push(toHostSummary(r))
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    })
  }

  touchAgent (id: string, lastSeen: number): Promise<void> {
    return guard('touchAgent', async () => { await touchQuery(this.#db, id, lastSeen).execute() })
  }

  touchAgents (touches: ReadonlyArray<readonly [id: string, lastSeen: number]>): Promise<void> {
    if (touches.length === 0) return Promise.resolve()
    return guard('touchAgents', async () => {
      await this.#db.transaction().execute(async (tx) => {
        for (const [id, lastSeen] of touches) await touchQuery(tx, id, lastSeen).execute()
      })
    })
  }

  ingestReports (reports: readonly IngestReport[]): Promise<void> {
    if (reports.length === 0) return Promise.resolve()
    return guard('ingestReports', () => this.#b.ingest(reports))
  }

  queryMetrics (agentId: string, name: string, from: number, to: number, limit: number): Promise<MetricPoint[]> {
    return guard('queryMetrics', async () => {
      // The join keeps only rows whose name set has the name and says where its 8 bytes are;
      // the database cuts them out, so only the wanted values travel.
      const value = this.kind === 'sqlite'
        ? sql<Uint8Array>`substr(s.values_blob, m.idx * ${sql.lit(VALUE_BYTES)} + 1, ${sql.lit(VALUE_BYTES)})`
        : sql<Uint8Array>`substring(s.values_blob from m.idx * ${sql.lit(VALUE_BYTES)} + 1 for ${sql.lit(VALUE_BYTES)})`
      const rows = await this.#db.selectFrom('metric_samples as s')
        .innerJoin('metric_name_set_members as m', (j) => j.onRef('m.set_id', '=', 's.names_id').on('m.name', '=', name))
        .select(['s.time', value.as('v')]).where('s.agent_id', '=', agentId).where('s.time', '>=', from).where('s.time', '<=', to)
        .orderBy('s.time').orderBy('s.seq').limit(clampLimit(limit)).execute()
      return rows.map((r) => ({ time: Number(r.time), value: unpackValue(r.v) }))
    })
  }

  latestMetrics (agentId: string): Promise<{ time: number | null, values: Record<string, number> }> {
    return guard('latestMetrics', async () => {
      const row = await this.#db.selectFrom('agent_metrics').select(['metrics', 'metrics_at']).where('agent_id', '=', agentId).executeTakeFirst()
      if (row === undefined) return { time: null, values: {} }
      return { time: Number(row.metrics_at), values: (this.#json.decode(row.metrics) ?? {}) as Record<string, number> }
    })
  }

  /** Newest first. */
  recentEvents (agentId: string, limit: number): Promise<AgentEvent[]> {
    return guard('recentEvents', async () => {
      const rows = await this.#db.selectFrom('events').select('event').where('agent_id', '=', agentId)
        .orderBy('time', 'desc').orderBy('id', 'desc').limit(clampLimit(limit)).execute()
      return rows.map((r) => toEvent(r, this.#json))
    })
  }

  createCommand (c: NewCommand): Promise<void> {
    return guard('createCommand', async () => {
      await this.#db.insertInto('commands').values({
        id: c.id, agent_id: c.agentId, issuer: c.issuer, body: JSON.stringify(c.body), nonce: c.nonce, created_at: c.createdAt,
        expires_at: c.expiresAt, status: 'queued', sent_at: null, finished_at: null, exit_code: null, signal: null,
        stdout: '', stderr: '', truncated: 0, error: null
      }).execute()
    })
  }

  getCommand (id: string): Promise<CommandRecord | undefined> {
    return guard('getCommand', async () => {
      const row = await this.#db.selectFrom('commands').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? undefined : toCommand(row, this.#json)
    })
  }

  takeDeliverable (agentId: string, now: number, resendBefore: number): Promise<CommandRecord[]> {
    return guard('takeDeliverable', async () => {
      // One UPDATE … RETURNING: choosing and marking cannot be split by another hub. On
      // PostgreSQL a concurrent taker waits for the row lock, then re-checks the condition
      // against the new `sent_at` and skips the row.
      const rows = await this.#db.updateTable('commands').set({ status: 'sent', sent_at: now })
        .where('agent_id', '=', agentId).where('expires_at', '>', now)
        .where((eb) => eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'sent'), eb('sent_at', '<', resendBefore)])]))
        .returningAll().execute()
      return rows.map((r) => toCommand(r, this.#json))
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    })
  }

  nextDeliveryAt (agentId: string, now: number, resendAfterMs: number): Promise<number | null> {
    return guard('nextDeliveryAt', async () => {
      const rows = await this.#db.selectFrom('commands').select(['status', 'sent_at'])
        .where('agent_id', '=', agentId).where('status', 'in', ['queued', 'sent']).where('expires_at', '>', now).execute()
      let next: number | null = null
      for (const r of rows) {
        const at = r.status === 'queued' || r.sent_at === null ? now : Math.max(now, Number(r.sent_at) + resendAfterMs + 1)
        next = next === null ? at : Math.min(next, at)
      }
      return next
    })
  }

  /**
   * Results are accepted for `queued`, `sent` and `expired` commands: a long `exec` may finish
   * after its expiry swept it, and its real outcome beats "expired".
   */
  completeCommand (r: CommandResult): Promise<boolean> {
    return guard('completeCommand', () => this.#db.transaction().execute(async (trx) => {
      const cmd = await trx.selectFrom('commands').select('agent_id').where('id', '=', r.commandId).executeTakeFirst()
      if (cmd === undefined || cmd.agent_id !== r.agentId) return false
      const receipt = await trx.insertInto('receipts').values({ agent_id: r.agentId, seq: r.seq, received_at: r.finishedAt })
        .onConflict((oc) => oc.columns(['agent_id', 'seq']).doNothing()).executeTakeFirst()
      if (receipt.numInsertedOrUpdatedRows !== 1n) return false
      const done = await trx.updateTable('commands').set({
        status: r.status, finished_at: r.finishedAt, exit_code: r.exitCode, signal: r.signal, stdout: r.stdout, stderr: r.stderr,
        truncated: r.truncated ? 1 : 0, error: r.error === null ? null : JSON.stringify(r.error)
      }).where('id', '=', r.commandId).where('agent_id', '=', r.agentId).where('status', 'in', ['queued', 'sent', 'expired']).executeTakeFirst()
      return done.numUpdatedRows === 1n
    }))
  }

  expireCommands (now: number): Promise<number> {
    return guard('expireCommands', async () => {
      const res = await this.#db.updateTable('commands').set({ status: 'expired' })
        .where('status', 'in', ['queued', 'sent']).where('expires_at', '<=', now).executeTakeFirst()
      return Number(res.numUpdatedRows)
    })
  }

  appendAudit (e: NewAuditEntry): Promise<void> {
    return guard('appendAudit', () => this.#db.transaction().execute(async (trx) => {
      await this.#b.lockAudit(trx)
      const last = await trx.selectFrom('audit').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst()
      const prevHash = last?.hash ?? AUDIT_GENESIS_HASH
      await trx.insertInto('audit').values({
        time: e.time, actor: e.actor, action: e.action, target: e.target, result: e.result,
        detail: JSON.stringify(e.detail), prev_hash: prevHash, hash: auditHash(prevHash, e)
      }).execute()
    }))
  }

  /** Newest first. */
  listAudit (limit: number): Promise<AuditRecord[]> {
    return guard('listAudit', async () => {
      const rows = await this.#db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(clampLimit(limit)).execute()
      return rows.map((r) => toAudit(r, this.#json))
    })
  }

  listAuditAfter (afterId: number, limit: number): Promise<AuditRecord[]> {
    return guard('listAuditAfter', async () => {
      const rows = await this.#db.selectFrom('audit').selectAll().where('id', '>', afterId)
        .orderBy('id', 'asc').limit(clampLimit(limit)).execute()
      return rows.map((r) => toAudit(r, this.#json))
    })
  }
}


function clampLimit (limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.min(MAX_QUERY_ROWS, Math.floor(limit))) : 0
}

function sameHash (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Moves an agent's `lastSeen` to `lastSeen`, only forward in time. */
function touchQuery (db: Kysely<DbSchema>, id: string, lastSeen: number) {
  return db.updateTable('agents').set({ last_seen: lastSeen }).where('id', '=', id)
    .where((eb) => eb.or([eb('last_seen', 'is', null), eb('last_seen', '<', lastSeen)]))
}
