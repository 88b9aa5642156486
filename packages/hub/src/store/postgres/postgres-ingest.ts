import { sql, type Kysely, type Transaction } from 'kysely'
import type { IngestReport } from '../store.ts'
import type { DbSchema } from '../kysely/db-schema.ts'
import { latestPerAgent, receiptKey } from '../kysely/agent-latest.ts'
import { NameSetCache, nameSetKey, nameSetOf, packValues } from '../kysely/metric-samples.ts'

/**
 * The PostgreSQL ingest path: a handful of set-based statements per batch, each taking whole
 * columns as arrays through `unnest`, in one transaction; a report costs a receipt and one
 * `metric_samples` row. Rows that several hubs may touch (receipts, name sets, agents) are
 * written in key order so that two batches cannot deadlock.
 */
export class PostgresIngest {
  readonly #db: Kysely<DbSchema>
  readonly #sets = new NameSetCache()

  constructor (db: Kysely<DbSchema>) {
    this.#db = db
  }

  /** Writes the batch in one transaction; resolves after the commit. */
  async write (reports: readonly IngestReport[]): Promise<void> {
    const pending = new Map<string, number>()
    await this.#db.transaction().execute(async (trx) => {
      const fresh = await insertReceipts(trx, reports)
      if (fresh.length === 0) return
      const agents: string[] = []
      const times: number[] = []
      const seqs: number[] = []
      const keys: string[] = []
      const blobs: Buffer[] = []
      for (const r of fresh) {
        if (r.metrics.length === 0) continue
        agents.push(r.agentId)
        times.push(r.time)
        seqs.push(r.seq)
        keys.push(nameSetKey(r.metrics))
        blobs.push(packValues(r.metrics))
      }
      if (agents.length > 0) {
        await this.#resolveNameSets(trx, keys, pending)
        const ids = keys.map((k) => this.#sets.get(k) ?? pending.get(k) ?? -1)
        await sql`insert into metric_samples (agent_id, time, seq, names_id, values_blob)
          select * from unnest(${agents}::text[], ${times}::int8[], ${seqs}::int8[], ${ids}::int8[], ${blobs}::bytea[])
          on conflict do nothing`.execute(trx)
      }
      await insertEvents(trx, fresh)
      await updateAgents(trx, fresh)
    })
    this.#sets.remember(pending)
  }

  async #resolveNameSets (trx: Transaction<DbSchema>, keys: readonly string[], pending: Map<string, number>): Promise<void> {
    const missing = [...new Set(keys.filter((k) => this.#sets.get(k) === undefined))].map(nameSetOf)
    if (missing.length === 0) return
    missing.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0))
    const hashes = missing.map((s) => s.hash)
    // Only the hub that inserts a set adds its members, in the same transaction: whoever sees
    // the set committed sees its members too.
    const created = await sql<{ id: number, hash: string }>`insert into metric_name_sets (hash, names)
      select * from unnest(${hashes}::text[], ${missing.map((s) => s.names)}::text[]) on conflict do nothing returning id, hash`.execute(trx)
    const byHash = new Map(missing.map((s) => [s.hash, s]))
    const setIds: number[] = []
    const names: string[] = []
    const idxs: number[] = []
    for (const row of created.rows) {
      for (const [name, idx] of byHash.get(row.hash)?.members ?? []) {
        setIds.push(Number(row.id))
        names.push(name)
        idxs.push(idx)
      }
    }
    if (setIds.length > 0) {
      await sql`insert into metric_name_set_members (set_id, name, idx)
        select * from unnest(${setIds}::int8[], ${names}::text[], ${idxs}::int4[])`.execute(trx)
    }
    const rows = await sql<{ id: number, hash: string }>`select id, hash from metric_name_sets where hash = any(${hashes}::text[])`.execute(trx)
    const idOf = new Map(rows.rows.map((r) => [r.hash, Number(r.id)]))
    for (const s of missing) {
      const id = idOf.get(s.hash)
      if (id !== undefined) pending.set(s.names, id)
    }
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

/**
 * One UPDATE for all agents of the batch, fed as a JSON array of per-agent changes, and one
 * upsert of the latest metric values (a replayed older batch changes nothing).
 */
async function updateAgents (trx: Transaction<DbSchema>, fresh: readonly IngestReport[]): Promise<void> {
  const latest = latestPerAgent(fresh)
  const changes = latest.map((a) => ({
    id: a.id,
    last_seen: a.lastSeen,
    inventory: a.inventory === null ? null : JSON.parse(a.inventory),
    inventory_at: a.inventoryAt,
    os: a.os,
    snapshot: a.snapshot === null ? null : JSON.parse(a.snapshot),
    snapshot_at: a.snapshotAt
  }))
  await sql`update agents a set
      last_seen = greatest(a.last_seen, x.last_seen),
      inventory = case when x.inventory_at is not null and (a.inventory_at is null or a.inventory_at <= x.inventory_at)
        then x.inventory else a.inventory end,
      inventory_at = case when x.inventory_at is not null and (a.inventory_at is null or a.inventory_at <= x.inventory_at)
        then x.inventory_at else a.inventory_at end,
      os = case when x.inventory_at is not null and (a.inventory_at is null or a.inventory_at <= x.inventory_at)
        then x.os else a.os end,
      snapshot = case when x.snapshot_at is not null and (a.snapshot_at is null or a.snapshot_at <= x.snapshot_at)
        then x.snapshot else a.snapshot end,
      snapshot_at = case when x.snapshot_at is not null and (a.snapshot_at is null or a.snapshot_at <= x.snapshot_at)
        then x.snapshot_at else a.snapshot_at end
    from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as x (id text, last_seen int8,
      inventory jsonb, inventory_at int8, os text, snapshot jsonb, snapshot_at int8)
    where a.id = x.id`.execute(trx)
  const metrics = latest.filter((a) => a.metrics !== null).map((a) => ({ agent_id: a.id, metrics: a.metrics, metrics_at: a.metricsAt }))
  if (metrics.length === 0) return
  await sql`insert into agent_metrics as m (agent_id, metrics, metrics_at)
    select * from jsonb_to_recordset(${JSON.stringify(metrics)}::jsonb) as x (agent_id text, metrics jsonb, metrics_at int8)
    on conflict (agent_id) do update set metrics = m.metrics || excluded.metrics, metrics_at = excluded.metrics_at
    where m.metrics_at <= excluded.metrics_at`.execute(trx)
}
