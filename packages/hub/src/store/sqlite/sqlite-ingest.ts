import type { IngestReport } from '../store.ts'
import { latestPerAgent } from '../kysely/agent-latest.ts'
import type { NodeSqliteDatabase } from './node-sqlite-database.ts'

/** Rows per multi-row INSERT of points: 300 parameters, well under SQLite's limit of 32766. */
const POINT_ROWS = 100
/** Forget cached series ids past this many (they are re-read on the next miss). */
const SERIES_CACHE_MAX = 1_000_000

const ONE_POINT = 'insert into metric_points (series_id, time, value) values (?, ?, ?) on conflict do nothing'
const MULTI_POINTS = `insert into metric_points (series_id, time, value) values ${'(?, ?, ?), '.repeat(POINT_ROWS - 1)}(?, ?, ?) on conflict do nothing`

const UPDATE_AGENT = `update agents set
  last_seen = max(coalesce(last_seen, ?1), ?1),
  metrics = case when ?2 is not null and (metrics_at is null or metrics_at <= ?2) then json_patch(coalesce(metrics, '{}'), ?3) else metrics end,
  metrics_at = case when ?2 is not null and (metrics_at is null or metrics_at <= ?2) then ?2 else metrics_at end,
  inventory = case when ?4 is not null and (inventory_at is null or inventory_at <= ?4) then ?5 else inventory end,
  inventory_at = case when ?4 is not null and (inventory_at is null or inventory_at <= ?4) then ?4 else inventory_at end,
  snapshot = case when ?6 is not null and (snapshot_at is null or snapshot_at <= ?6) then ?7 else snapshot end,
  snapshot_at = case when ?6 is not null and (snapshot_at is null or snapshot_at <= ?6) then ?6 else snapshot_at end
where id = ?8`

/**
 * The SQLite ingest path, on the raw `node:sqlite` connection: one `begin immediate` … `commit`,
 * cached prepared statements, and points written 100 rows per statement. It is synchronous from
 * begin to commit, and the caller holds Kysely's connection lock, so nothing interleaves.
 */
export class SqliteIngest {
  readonly #db: NodeSqliteDatabase
  /** agent → metric name → series id, for committed series only (nested: no key strings to build per value). */
  readonly #series = new Map<string, Map<string, number>>()
  #seriesCount = 0

  constructor (db: NodeSqliteDatabase) {
    this.#db = db
  }

  /** Writes the batch in one transaction; on any error rolls back and rethrows. */
  write (reports: readonly IngestReport[]): void {
    const db = this.#db
    const receipt = db.statement('insert into receipts (agent_id, seq, received_at) values (?, ?, ?) on conflict do nothing')
    const event = db.statement('insert into events (agent_id, time, severity, event) values (?, ?, ?, ?)')
    const pending: Array<[string, string, number]> = []
    const points: Array<number> = []
    const fresh: IngestReport[] = []
    db.raw.exec('begin immediate')
    try {
      for (const r of reports) {
        // The primary key de-duplicates: a report already stored (or earlier in this batch) is skipped.
        if (receipt.run(r.agentId, r.seq, r.receivedAt).changes !== 1) continue
        fresh.push(r)
        for (const m of r.metrics) {
          points.push(this.#seriesId(r.agentId, m.name, pending), r.time, m.value)
          if (points.length === POINT_ROWS * 3) this.#flushPoints(points)
        }
        for (const e of r.events) event.run(r.agentId, e.time, e.severity, JSON.stringify(e))
      }
      if (points.length > 0) this.#flushPoints(points)
      const update = db.statement(UPDATE_AGENT)
      for (const a of latestPerAgent(fresh)) {
        update.run(a.lastSeen, a.metricsAt, a.metrics === null ? null : JSON.stringify(a.metrics), a.inventoryAt, a.inventory, a.snapshotAt, a.snapshot, a.id)
      }
      db.raw.exec('commit')
    } catch (err) {
      if (db.raw.isTransaction) db.raw.exec('rollback')
      throw err
    }
    if (this.#seriesCount + pending.length > SERIES_CACHE_MAX) {
      this.#series.clear()
      this.#seriesCount = 0
    }
    for (const [agentId, name, id] of pending) this.#remember(agentId, name, id)
  }

  #remember (agentId: string, name: string, id: number): void {
    let names = this.#series.get(agentId)
    if (names === undefined) this.#series.set(agentId, names = new Map())
    names.set(name, id)
    this.#seriesCount++
  }

  #seriesId (agentId: string, name: string, pending: Array<[string, string, number]>): number {
    const known = this.#series.get(agentId)?.get(name)
    if (known !== undefined) return known
    // Misses are rare (a new host or metric), so they simply ask the database; repeated misses
    // within one batch find the row this batch inserted.
    this.#db.statement('insert into metric_series (agent_id, name) values (?, ?) on conflict do nothing').run(agentId, name)
    const row = this.#db.statement('select id from metric_series where agent_id = ? and name = ?').get(agentId, name)
    const id = Number(row?.['id'])
    // Kept apart until commit: a rolled-back batch must not leave ids in the cache that do not exist.
    pending.push([agentId, name, id])
    return id
  }

  #flushPoints (points: number[]): void {
    if (points.length === POINT_ROWS * 3) {
      this.#db.statement(MULTI_POINTS).run(...points)
    } else {
      // The tail of a batch: one cached single-row statement rather than a statement per size.
      const one = this.#db.statement(ONE_POINT)
      for (let i = 0; i < points.length; i += 3) one.run(points[i] ?? null, points[i + 1] ?? null, points[i + 2] ?? null)
    }
    points.length = 0
  }
}
