import { sql, type Kysely, type Transaction } from 'kysely'
import type { IngestReport } from '../store.ts'
import type { DbSchema } from '../kysely/db-schema.ts'
import { latestPerAgent, receiptKey } from '../kysely/agent-latest.ts'

/** Forget cached series ids past this many (they are re-read on the next miss). */
const SERIES_CACHE_MAX = 1_000_000

/**
 * The PostgreSQL ingest path: a handful of set-based statements per batch, each taking whole
 * columns as arrays through `unnest`, in one transaction. Rows that several hubs may touch
 * (receipts, series, agents) are written in key order so that two batches cannot deadlock.
 */
export class PostgresIngest {
  readonly #db: Kysely<DbSchema>
  /** (agent, metric name) → series id, for committed series only. */
  readonly #series = new Map<string, number>()

  constructor (db: Kysely<DbSchema>) {
    this.#db = db
  }

  /** Writes the batch in one transaction; resolves after the commit. */
  async write (reports: readonly IngestReport[]): Promise<void> {
    const pending = new Map<string, number>()
    await this.#db.transaction().execute(async (trx) => {
      const fresh = await insertReceipts(trx, reports)
      if (fresh.length === 0) return
      await this.#resolveSeries(trx, fresh, pending)
      const ids: number[] = []
      const times: number[] = []
      const values: number[] = []
      for (const r of fresh) {
        for (const m of r.metrics) {
          ids.push(this.#series.get(seriesKey(r.agentId, m.name)) ?? pending.get(seriesKey(r.agentId, m.name)) ?? -1)
          times.push(r.time)
          values.push(m.value)
        }
      }
      if (ids.length > 0) {
        await sql`insert into metric_points (series_id, time, value)
          select * from unnest(${ids}::int4[], ${times}::int8[], ${values}::float8[])`.execute(trx)
      }
      await insertEvents(trx, fresh)
      await updateAgents(trx, fresh)
    })
    if (this.#series.size + pending.size > SERIES_CACHE_MAX) this.#series.clear()
    for (const [k, v] of pending) this.#series.set(k, v)
  }

  async #resolveSeries (trx: Transaction<DbSchema>, fresh: readonly IngestReport[], pending: Map<string, number>): Promise<void> {
    const missing = new Map<string, [string, string]>()
    for (const r of fresh) {
      for (const m of r.metrics) {
        const key = seriesKey(r.agentId, m.name)
        if (!this.#series.has(key)) missing.set(key, [r.agentId, m.name])
      }
    }
    if (missing.size === 0) return
    const pairs = [...missing.values()].sort(([a1, n1], [a2, n2]) => (a1 < a2 ? -1 : a1 > a2 ? 1 : n1 < n2 ? -1 : n1 > n2 ? 1 : 0))
    const agents = pairs.map((p) => p[0])
    const names = pairs.map((p) => p[1])
    await sql`insert into metric_series (agent_id, name) select * from unnest(${agents}::text[], ${names}::text[])
      on conflict do nothing`.execute(trx)
    const rows = await sql<{ id: number, agent_id: string, name: string }>`select s.id, s.agent_id, s.name from metric_series s
      join unnest(${agents}::text[], ${names}::text[]) as u (agent_id, name) on s.agent_id = u.agent_id and s.name = u.name`.execute(trx)
    // Kept apart until commit: a rolled-back batch must not leave ids in the cache that do not exist.
    for (const row of rows.rows) pending.set(seriesKey(row.agent_id, row.name), Number(row.id))
  }
}

/** Inserts the receipts; returns the reports that were not stored before, first occurrence only. */
async function insertReceipts (trx: Transaction<DbSchema>, reports: readonly IngestReport[]): Promise<IngestReport[]> {
  const first = new Map<string, IngestReport>()
  for (const r of reports) {
    const key = receiptKey(r.agentId, r.seq)
    if (!first.has(key)) first.set(key, r)
  }
  const unique = [...first.values()].sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : a.seq - b.seq))
  const inserted = await sql<{ agent_id: string, seq: number }>`insert into receipts (agent_id, seq, received_at)
    select * from unnest(${unique.map((r) => r.agentId)}::text[], ${unique.map((r) => r.seq)}::int8[], ${unique.map((r) => r.receivedAt)}::int8[])
    on conflict do nothing returning agent_id, seq`.execute(trx)
  const isNew = new Set(inserted.rows.map((row) => receiptKey(row.agent_id, Number(row.seq))))
  return unique.filter((r) => isNew.has(receiptKey(r.agentId, r.seq)))
}

async function insertEvents (trx: Transaction<DbSchema>, fresh: readonly IngestReport[]): Promise<void> {
  const agents: string[] = []
  const times: number[] = []
  const severities: string[] = []
  const bodies: string[] = []
  for (const r of fresh) {
    for (const e of r.events) {
      agents.push(r.agentId)
      times.push(e.time)
      severities.push(e.severity)
      bodies.push(JSON.stringify(e))
    }
  }
  if (agents.length === 0) return
  await sql`insert into events (agent_id, time, severity, event)
    select * from unnest(${agents}::text[], ${times}::int8[], ${severities}::text[], ${bodies}::jsonb[])`.execute(trx)
}

/** One UPDATE for all agents of the batch, fed as a JSON array of per-agent changes. */
async function updateAgents (trx: Transaction<DbSchema>, fresh: readonly IngestReport[]): Promise<void> {
  const changes = latestPerAgent(fresh).map((a) => ({
    id: a.id,
    last_seen: a.lastSeen,
    metrics: a.metrics,
    metrics_at: a.metricsAt,
    inventory: a.inventory === null ? null : JSON.parse(a.inventory),
    inventory_at: a.inventoryAt,
    snapshot: a.snapshot === null ? null : JSON.parse(a.snapshot),
    snapshot_at: a.snapshotAt
  }))
  await sql`update agents a set
      last_seen = greatest(a.last_seen, x.last_seen),
      metrics = case when x.metrics_at is not null and (a.metrics_at is null or a.metrics_at <= x.metrics_at)
        then coalesce(a.metrics, '{}'::jsonb) || x.metrics else a.metrics end,
      metrics_at = case when x.metrics_at is not null and (a.metrics_at is null or a.metrics_at <= x.metrics_at)
        then x.metrics_at else a.metrics_at end,
      inventory = case when x.inventory_at is not null and (a.inventory_at is null or a.inventory_at <= x.inventory_at)
        then x.inventory else a.inventory end,
      inventory_at = case when x.inventory_at is not null and (a.inventory_at is null or a.inventory_at <= x.inventory_at)
        then x.inventory_at else a.inventory_at end,
      snapshot = case when x.snapshot_at is not null and (a.snapshot_at is null or a.snapshot_at <= x.snapshot_at)
        then x.snapshot else a.snapshot end,
      snapshot_at = case when x.snapshot_at is not null and (a.snapshot_at is null or a.snapshot_at <= x.snapshot_at)
        then x.snapshot_at else a.snapshot_at end
    from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as x (id text, last_seen int8, metrics jsonb, metrics_at int8,
      inventory jsonb, inventory_at int8, snapshot jsonb, snapshot_at int8)
    where a.id = x.id`.execute(trx)
}

function seriesKey (agentId: string, name: string): string {
  return `${agentId}\u0000${name}`
}
