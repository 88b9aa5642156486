import type { Kysely, Transaction } from 'kysely'
import type {
  AlertCounts, AlertFilter, AlertRecord, AlertRuleRecord, AlertStore, AlertTransition, PendingNotification, SilenceRecord
} from '../alert-store.ts'
import { jsonCodec, type DbSchema, type JsonCodec } from './db-schema.ts'
import { alertRow, ruleRow, toAlert, toRule, toSilence, type AlertTables } from './alert-rows.ts'
import { guard } from './store-guard.ts'

type Db = DbSchema & AlertTables

/** The largest page `listAlerts` returns, whatever the caller asks. */
export const MAX_ALERT_ROWS = 10_000

const OPEN = ['firing', 'acknowledged']
/** Ids per statement when renewing or releasing claims (well under both backends' bind limits). */
const ID_CHUNK = 500

/** `AlertStore` over Kysely, for both backends. */
export class KyselyAlertStore implements AlertStore {
  readonly #db: Kysely<Db>
  readonly #json: JsonCodec

  constructor (db: Kysely<DbSchema>, kind: 'sqlite' | 'postgres') {
    this.#db = db.withTables<AlertTables>()
    this.#json = jsonCodec(kind)
  }

  listRules (): Promise<AlertRuleRecord[]> {
    return guard('alerts.listRules', async () => {
      const rows = await this.#db.selectFrom('alert_rules').selectAll().orderBy('created_at').orderBy('id').execute()
      return rows.map((r) => toRule(r, this.#json))
    })
  }

  getRule (id: string): Promise<AlertRuleRecord | undefined> {
    return guard('alerts.getRule', async () => {
      const row = await this.#db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? undefined : toRule(row, this.#json)
    })
  }

  createRule (r: AlertRuleRecord, ifAbsent = false): Promise<boolean> {
    return guard('alerts.createRule', async () => {
      let q = this.#db.insertInto('alert_rules').values(ruleRow(r))
      if (ifAbsent) q = q.onConflict((oc) => oc.column('id').doNothing())
      const res = await q.executeTakeFirst()
      return res.numInsertedOrUpdatedRows === 1n
    })
  }

  updateRule (r: AlertRuleRecord): Promise<boolean> {
    return guard('alerts.updateRule', async () => {
      const { id: _id, created_at: _created, ...fields } = ruleRow(r)
      const res = await this.#db.updateTable('alert_rules').set(fields).where('id', '=', r.id).executeTakeFirst()
      return res.numUpdatedRows === 1n
    })
  }

  deleteRule (id: string): Promise<boolean> {
    return guard('alerts.deleteRule', async () => {
      const res = await this.#db.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst()
      return res.numDeletedRows === 1n
    })
  }

  openAlert (a: AlertRecord, notification: PendingNotification | null): Promise<AlertRecord | undefined> {
    return guard('alerts.openAlert', () => this.#db.transaction().execute(async (trx) => {
      // No conflict target: the only unique index a new id can hit is `alerts_one_open`.
      const res = await trx.insertInto('alerts').values(alertRow({ ...a, state: 'firing' }))
        .onConflict((oc) => oc.doNothing()).executeTakeFirst()
      if (res.numInsertedOrUpdatedRows !== 1n) return undefined
      await this.#enqueue(trx, notification)
      return { ...a, state: 'firing' as const }
    }))
  }

  getAlert (id: string): Promise<AlertRecord | undefined> {
    return guard('alerts.getAlert', async () => {
      const row = await this.#db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? undefined : toAlert(row)
    })
  }

  listAlerts (f: AlertFilter): Promise<AlertRecord[]> {
    return guard('alerts.listAlerts', async () => {
      let q = this.#db.selectFrom('alerts').selectAll()
      if (f.state === 'open') q = q.where('state', 'in', OPEN)
      else if (f.state !== undefined) q = q.where('state', '=', f.state)
      if (f.hostId !== undefined) q = q.where('host_id', '=', f.hostId)
      if (f.hostIds !== undefined) {
        if (f.hostIds.length === 0) return []
        q = q.where('host_id', 'in', [...f.hostIds])
      }
      if (f.ruleId !== undefined) q = q.where('rule_id', '=', f.ruleId)
      const limit = Number.isFinite(f.limit) ? Math.max(0, Math.min(MAX_ALERT_ROWS, Math.floor(f.limit))) : 0
      const rows = await q.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
      return rows.map(toAlert)
    })
  }

  transitionAlert (t: AlertTransition, notification: PendingNotification | null): Promise<AlertRecord | undefined> {
    return guard('alerts.transitionAlert', () => this.#db.transaction().execute(async (trx) => {
      const q = t.to === 'acknowledged'
        ? trx.updateTable('alerts').set({ state: 'acknowledged', acknowledged_at: t.at, acknowledged_by: t.by }).where('state', '=', 'firing')
        : trx.updateTable('alerts').set((eb) => ({
          state: 'resolved',
          resolved_at: t.at,
          ...(t.summary === undefined ? {} : { summary: t.summary }),
          // Resolved by an operator (an event alert acknowledged): record who, unless already acknowledged.
          ...(t.by === undefined ? {} : { acknowledged_at: eb.fn.coalesce('acknowledged_at', eb.val(t.at)), acknowledged_by: eb.fn.coalesce('acknowledged_by', eb.val(t.by)) })
        })).where('state', 'in', OPEN)
      const row = await q.where('id', '=', t.id).returningAll().executeTakeFirst()
      if (row === undefined) return undefined
      await this.#enqueue(trx, notification)
      return toAlert(row)
    }))
  }

  markRepeated (id: string, expected: number, at: number, notification: PendingNotification): Promise<boolean> {
    return guard('alerts.markRepeated', () => this.#db.transaction().execute(async (trx) => {
      const res = await trx.updateTable('alerts').set({ last_notified_at: at })
        .where('id', '=', id).where('state', '=', 'firing').where('last_notified_at', '=', expected).executeTakeFirst()
      if (res.numUpdatedRows !== 1n) return false
      await this.#enqueue(trx, notification)
      return true
    }))
  }

  openCounts (hostId?: string): Promise<Map<string, AlertCounts>> {
    return guard('alerts.openCounts', async () => {
      let q = this.#db.selectFrom('alerts').select(['host_id', 'severity', (eb) => eb.fn.countAll().as('n')]).where('state', 'in', OPEN)
      if (hostId !== undefined) q = q.where('host_id', '=', hostId)
      const rows = await q.groupBy(['host_id', 'severity']).execute()
      const out = new Map<string, AlertCounts>()
      for (const r of rows) {
        const c = out.get(r.host_id) ?? { critical: 0, warning: 0, info: 0 }
        if (r.severity === 'critical' || r.severity === 'warning' || r.severity === 'info') c[r.severity] += Number(r.n)
        out.set(r.host_id, c)
      }
      return out
    })
  }

  createSilence (s: SilenceRecord): Promise<void> {
    return guard('alerts.createSilence', async () => {
      await this.#db.insertInto('silences').values({
        id: s.id, scope: JSON.stringify(s.scope), rule_id: s.ruleId, starts_at: s.startsAt, ends_at: s.endsAt,
        reason: s.reason, created_by: s.createdBy, created_at: s.createdAt
      }).execute()
    })
  }

  deleteSilence (id: string): Promise<boolean> {
    return guard('alerts.deleteSilence', async () => {
      const res = await this.#db.deleteFrom('silences').where('id', '=', id).executeTakeFirst()
      return res.numDeletedRows === 1n
    })
  }

  listSilences (endsAfter?: number): Promise<SilenceRecord[]> {
    return guard('alerts.listSilences', async () => {
      let q = this.#db.selectFrom('silences').selectAll()
      if (endsAfter !== undefined) q = q.where('ends_at', '>', endsAfter)
      const rows = await q.orderBy('starts_at').orderBy('id').limit(MAX_ALERT_ROWS).execute()
      return rows.map((r) => toSilence(r, this.#json))
    })
  }

  claimNotifications (now: number, staleBefore: number, limit: number): Promise<PendingNotification[]> {
    return guard('alerts.claimNotifications', async () => {
      // The condition is repeated outside the subquery: on PostgreSQL a replica that waited for
      // another's row lock re-checks it against the committed row and skips what was claimed.
      const rows = await this.#db.updateTable('alert_notifications').set({ claimed_at: now })
        .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', staleBefore)]))
        .where('id', 'in', this.#db.selectFrom('alert_notifications').select('id')
          .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', staleBefore)]))
          .orderBy('created_at').orderBy('id').limit(Math.max(1, Math.floor(limit))))
        .returning(['id', 'alert_id', 'payload', 'created_at']).execute()
      return rows.map((r) => ({ id: r.id, alertId: r.alert_id, payload: this.#json.decode(r.payload), createdAt: Number(r.created_at) }))
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    })
  }

  deleteNotification (id: string): Promise<void> {
    return guard('alerts.deleteNotification', async () => {
      await this.#db.deleteFrom('alert_notifications').where('id', '=', id).execute()
    })
  }

  renewNotificationLeases (ids: readonly string[], now: number): Promise<number> {
    return guard('alerts.renewNotificationLeases', () => this.#setClaims(ids, now))
  }

  releaseNotifications (ids: readonly string[]): Promise<number> {
    return guard('alerts.releaseNotifications', () => this.#setClaims(ids, null))
  }

  /** Sets `claimed_at` of the claimed rows among `ids`, in chunks (bounded statement size). */
  async #setClaims (ids: readonly string[], claimedAt: number | null): Promise<number> {
    let n = 0
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const res = await this.#db.updateTable('alert_notifications').set({ claimed_at: claimedAt })
        .where('id', 'in', ids.slice(i, i + ID_CHUNK)).where('claimed_at', 'is not', null).executeTakeFirst()
      n += Number(res.numUpdatedRows)
    }
    return n
  }

  silentHosts (before: number): Promise<Array<{ id: string, lastSeen: number }>> {
    return guard('alerts.silentHosts', async () => {
      const rows = await this.#db.selectFrom('agents').select(['id', 'last_seen']).where('last_seen', 'is not', null).where('last_seen', '<', before).execute()
      return rows.map((r) => ({ id: r.id, lastSeen: Number(r.last_seen) }))
    })
  }

  async #enqueue (trx: Transaction<Db>, n: PendingNotification | null): Promise<void> {
    if (n === null) return
    await trx.insertInto('alert_notifications').values({ id: n.id, alert_id: n.alertId, payload: JSON.stringify(n.payload), created_at: n.createdAt, claimed_at: null }).execute()
  }
}

