import type { Kysely, Selectable } from 'kysely'
import type { LiveSessionRecord, LiveSessionState, NewLiveSession, SessionStore } from '../session-store.ts'
import type { DbSchema } from './db-schema.ts'
import { guard } from './store-guard.ts'

/** The table of `sessions-migration.ts` as Kysely sees it (an alias: `withTables` needs one). */
export type SessionTables = {
  live_sessions: {
    id: string, agent_id: string, command_id: string | null, actor: string, kind: string, cols: number, rows: number
    state: string, created_at: number, updated_at: number, ended_at: number | null, exit_code: number | null
    close_reason: string | null, recording_path: string, recording_bytes: number
  }
}

/** The largest page `list` returns, whatever the caller asks. */
export const MAX_SESSION_ROWS = 1000

/** `SessionStore` over Kysely, for both backends. */
export class KyselySessionStore implements SessionStore {
  readonly #db: Kysely<DbSchema & SessionTables>

  constructor (db: Kysely<DbSchema>) {
    this.#db = db.withTables<SessionTables>()
  }

  create (s: NewLiveSession): Promise<void> {
    return guard('sessions.create', async () => {
      await this.#db.insertInto('live_sessions').values({
        id: s.id, agent_id: s.agentId, command_id: null, actor: s.actor, kind: s.kind, cols: s.cols, rows: s.rows, state: 'pending',
        created_at: s.createdAt, updated_at: s.createdAt, ended_at: null, exit_code: null, close_reason: null,
        recording_path: s.recordingPath, recording_bytes: 0
      }).execute()
    })
  }

  get (id: string): Promise<LiveSessionRecord | undefined> {
    return guard('sessions.get', async () => {
      const row = await this.#db.selectFrom('live_sessions').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? undefined : toRecord(row)
    })
  }

  list (opts: { hostIds?: readonly string[] | undefined, limit: number }): Promise<LiveSessionRecord[]> {
    return guard('sessions.list', async () => {
      if (opts.hostIds !== undefined && opts.hostIds.length === 0) return []
      let q = this.#db.selectFrom('live_sessions').selectAll()
      if (opts.hostIds !== undefined) q = q.where('agent_id', 'in', [...opts.hostIds])
      const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(Math.max(1, Math.min(opts.limit, MAX_SESSION_ROWS))).execute()
      return rows.map(toRecord)
    })
  }

  countActive (agentId: string): Promise<number> {
    return guard('sessions.countActive', async () => {
      const row = await this.#db.selectFrom('live_sessions').select((eb) => eb.fn.countAll().as('n'))
        .where('agent_id', '=', agentId).where('state', '!=', 'closed').executeTakeFirst()
      return Number(row?.n ?? 0)
    })
  }

  setCommand (id: string, commandId: string): Promise<void> {
    return guard('sessions.setCommand', async () => {
      await this.#db.updateTable('live_sessions').set({ command_id: commandId }).where('id', '=', id).execute()
    })
  }

  markOpen (id: string, now: number): Promise<void> {
    return guard('sessions.markOpen', async () => {
      await this.#db.updateTable('live_sessions').set({ state: 'open', updated_at: now }).where('id', '=', id).where('state', '=', 'pending').execute()
    })
  }

  touch (id: string, recordingBytes: number, now: number): Promise<void> {
    return guard('sessions.touch', async () => {
      await this.#db.updateTable('live_sessions').set({ recording_bytes: recordingBytes, updated_at: now }).where('id', '=', id).where('state', '!=', 'closed').execute()
    })
  }

  finish (id: string, f: { endedAt: number, exitCode: number | null, reason: string, recordingBytes: number }): Promise<boolean> {
    return guard('sessions.finish', async () => {
      const res = await this.#db.updateTable('live_sessions').set({
        state: 'closed', ended_at: f.endedAt, updated_at: f.endedAt, exit_code: f.exitCode, close_reason: f.reason.slice(0, 500), recording_bytes: f.recordingBytes
      }).where('id', '=', id).where('state', '!=', 'closed').executeTakeFirst()
      return res.numUpdatedRows === 1n
    })
  }

  closeStale (before: number, now: number): Promise<string[]> {
    return guard('sessions.closeStale', async () => {
      const rows = await this.#db.updateTable('live_sessions').set({ state: 'closed', ended_at: now, updated_at: now, close_reason: 'the hub relaying it went away' })
        .where('state', '!=', 'closed').where('updated_at', '<', before).returning('id').execute()
      return rows.map(r => r.id)
    })
  }
}

function toRecord (r: Selectable<SessionTables['live_sessions']>): LiveSessionRecord {
  return {
    id: r.id,
    agentId: r.agent_id,
    commandId: r.command_id,
    actor: r.actor,
    kind: 'terminal',
    cols: Number(r.cols),
    rows: Number(r.rows),
    state: r.state as LiveSessionState,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    endedAt: r.ended_at === null ? null : Number(r.ended_at),
    exitCode: r.exit_code === null ? null : Number(r.exit_code),
    closeReason: r.close_reason,
    recordingPath: r.recording_path,
    recordingBytes: Number(r.recording_bytes)
  }
}
