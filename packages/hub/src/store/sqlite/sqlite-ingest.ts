import type { IngestReport } from '../store.ts'
import { latestPerAgent } from '../kysely/agent-latest.ts'
import { NameSetCache, nameSetKey, nameSetOf, packValues } from '../kysely/metric-samples.ts'
import type { NodeSqliteDatabase } from './node-sqlite-database.ts'

const INSERT_SAMPLE = 'insert into metric_samples (agent_id, time, seq, names_id, values_blob) values (?, ?, ?, ?, ?) on conflict do nothing'

// Latest values live in their own row: rewriting them never touches the agent's inventory.
// A replayed older batch (metrics_at newer than its time) changes nothing. json_patch keeps
// names the new values lack; it costs ~25 µs a row, so when the stored names are known to be
// exactly the new ones (the usual case) the row is simply replaced.
const LATEST = (merge: string) => `insert into agent_metrics (agent_id, metrics, metrics_at) values (?1, ?2, ?3)
  on conflict (agent_id) do update set metrics = ${merge}, metrics_at = excluded.metrics_at
  where metrics_at <= excluded.metrics_at`
const MERGE_LATEST = LATEST('json_patch(metrics, excluded.metrics)')
const REPLACE_LATEST = LATEST('excluded.metrics')
/** Forget cached latest-value names past this many agents (a miss costs one merge). */
const LATEST_NAMES_MAX = 100_000

// When only last_seen changes, the record keeps its size and SQLite overwrites it in place,
// writing only the page that changed, not the inventory's overflow pages.
const UPDATE_AGENT = `update agents set
  last_seen = max(coalesce(last_seen, ?1), ?1),
  inventory = case when ?2 is not null and (inventory_at is null or inventory_at <= ?2) then ?3 else inventory end,
  os = case when ?2 is not null and (inventory_at is null or inventory_at <= ?2) then ?7 else os end,
  inventory_at = case when ?2 is not null and (inventory_at is null or inventory_at <= ?2) then ?2 else inventory_at end,
  snapshot = case when ?4 is not null and (snapshot_at is null or snapshot_at <= ?4) then ?5 else snapshot end,
  snapshot_at = case when ?4 is not null and (snapshot_at is null or snapshot_at <= ?4) then ?4 else snapshot_at end
where id = ?6`

/**
 * The SQLite ingest path, on the raw `node:sqlite` connection: one `begin immediate` … `commit`
 * and cached prepared statements; a report costs a receipt and one `metric_samples` row. It is
 * synchronous from begin to commit, and the caller holds Kysely's connection lock, so nothing
 * interleaves.
 */
export class SqliteIngest {
  readonly #db: NodeSqliteDatabase
  readonly #sets = new NameSetCache()
  /** Agent → JSON array of the names in its committed `agent_metrics` row, in stored order. */
  readonly #latestNames = new Map<string, string>()

  constructor (db: NodeSqliteDatabase) {
    this.#db = db
  }

  /** Writes the batch in one transaction; on any error rolls back and rethrows. */
  write (reports: readonly IngestReport[]): void {
    const db = this.#db
    const receipt = db.statement('insert into receipts (agent_id, seq, received_at) values (?, ?, ?) on conflict do nothing')
    const sample = db.statement(INSERT_SAMPLE)
    const event = db.statement('insert into events (agent_id, time, severity, event) values (?, ?, ?, ?)')
    const pending = new Map<string, number>()
    const pendingLatest = new Map<string, string>()
    const fresh: IngestReport[] = []
    db.raw.exec('begin immediate')
    try {
      for (const r of reports) {
        // The primary key de-duplicates: a report already stored (or earlier in this batch) is skipped.
        if (receipt.run(r.agentId, r.seq, r.receivedAt).changes !== 1) continue
        fresh.push(r)
        if (r.metrics.length > 0) sample.run(r.agentId, r.time, r.seq, this.#nameSetId(nameSetKey(r.metrics), pending), packValues(r.metrics))
        for (const e of r.events) event.run(r.agentId, e.time, e.severity, JSON.stringify(e))
      }
      const update = db.statement(UPDATE_AGENT)
      for (const a of latestPerAgent(fresh)) {
        update.run(a.lastSeen, a.inventoryAt, a.inventory, a.snapshotAt, a.snapshot, a.id, a.os)
        if (a.metrics !== null) this.#storeLatest(a.id, a.metrics, a.metricsAt, pendingLatest)
      }
      db.raw.exec('commit')
    } catch (err) {
      if (db.raw.isTransaction) db.raw.exec('rollback')
      throw err
    }
    this.#sets.remember(pending)
    if (this.#latestNames.size + pendingLatest.size > LATEST_NAMES_MAX) this.#latestNames.clear()
    for (const [k, v] of pendingLatest) this.#latestNames.set(k, v)
  }

  #storeLatest (agentId: string, metrics: Record<string, number>, at: number | null, pendingLatest: Map<string, string>): void {
    const names = JSON.stringify(Object.keys(metrics))
    if (this.#latestNames.get(agentId) === names) {
      this.#db.statement(REPLACE_LATEST).run(agentId, JSON.stringify(metrics), at)
      return
    }
    this.#db.statement(MERGE_LATEST).run(agentId, JSON.stringify(metrics), at)
    // Learn the merged row's names, so the next batch with the same names replaces it.
    const row = this.#db.statement('select metrics from agent_metrics where agent_id = ?').get(agentId)
    if (typeof row?.['metrics'] === 'string') pendingLatest.set(agentId, JSON.stringify(Object.keys(JSON.parse(row['metrics']) as object)))
  }

  #nameSetId (key: string, pending: Map<string, number>): number {
    const known = this.#sets.get(key) ?? pending.get(key)
    if (known !== undefined) return known
    // Misses are rare (a new host or a changed set of metrics), so they simply ask the database.
    const set = nameSetOf(key)
    const db = this.#db
    db.statement('insert into metric_name_sets (hash, names) values (?, ?) on conflict do nothing').run(set.hash, set.names)
    const id = Number(db.statement('select id from metric_name_sets where hash = ?').get(set.hash)?.['id'])
    const member = db.statement('insert into metric_name_set_members (set_id, name, idx) values (?, ?, ?) on conflict do nothing')
    for (const [name, idx] of set.members) member.run(id, name, idx)
    pending.set(key, id)
    return id
  }
}
