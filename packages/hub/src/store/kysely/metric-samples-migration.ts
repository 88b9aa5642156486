import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
import { withSerialId } from './migration-helpers.ts'
import { nameSetOf, packValues } from './metric-samples.ts'

/** Points read per step when moving the old layout; bounds the migration's memory. */
const MOVE_CHUNK = 20_000
/** Rows per INSERT while moving (5 parameters each). */
const INSERT_ROWS = 100
/** The seq of moved points: negative, far below any report's (they start at 1). */
const MOVED_SEQ = -(2 ** 31)

/**
 * 0002: metric values move from one row per value (`metric_points` ordered by series, so a
 * report's values landed on as many b-tree pages as it had metrics) to one row per report
 * (`metric_samples`, see `metric-samples.ts`), and the latest values move out of the `agents`
 * row into `agent_metrics`, so that storing them no longer rewrites the agent's inventory.
 * Existing points are moved, then the old tables and columns dropped.
 */
export function metricSamples (kind: 'sqlite' | 'postgres'): Migration {
  const t = kind === 'postgres'
    ? { json: 'jsonb', blob: 'bytea', id: 'bigint' } as const
    : { json: 'text', blob: 'blob', id: 'integer' } as const
  return {
    async up (db: Kysely<any>): Promise<void> {
      await withSerialId(db.schema.createTable('metric_name_sets'), kind)
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('names', 'text', (c) => c.notNull())
        .execute()

      let members = db.schema.createTable('metric_name_set_members')
        .addColumn('set_id', t.id, (c) => c.notNull().references('metric_name_sets.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('metric_name_set_members_pk', ['set_id', 'name'])
      if (kind === 'sqlite') members = members.modifyEnd(sql`without rowid`)
      await members.execute()

      // Keyed (agent, time, seq) so that a host's time range is one contiguous run. SQLite keeps
      // the rows in that b-tree itself (WITHOUT ROWID): one b-tree insert per report. No foreign
      // key: the receipt written just before in the same transaction already checked the agent,
      // and a check per row costs a trigger on PostgreSQL.
      let samples = db.schema.createTable('metric_samples')
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('names_id', t.id, (c) => c.notNull())
        .addColumn('values_blob', t.blob, (c) => c.notNull())
        .addPrimaryKeyConstraint('metric_samples_pk', ['agent_id', 'time', 'seq'])
      if (kind === 'sqlite') samples = samples.modifyEnd(sql`without rowid`)
      await samples.execute()

      await db.schema.createTable('agent_metrics')
        .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
        .addColumn('metrics', t.json, (c) => c.notNull())
        .addColumn('metrics_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.insertInto('agent_metrics').columns(['agent_id', 'metrics', 'metrics_at'])
        .expression(db.selectFrom('agents').select(['id', 'metrics', 'metrics_at']).where('metrics_at', 'is not', null).where('metrics', 'is not', null))
        .execute()

      await movePoints(db)
      await db.schema.dropTable('metric_points').execute()
      await db.schema.dropTable('metric_series').execute()
      await db.schema.alterTable('agents').dropColumn('metrics').execute()
      await db.schema.alterTable('agents').dropColumn('metrics_at').execute()
    }
  }
}

interface OldPoint { time: number, name: string, value: number }
interface Sample { agent_id: string, time: number, seq: number, names_id: number, values_blob: Buffer }

/**
 * Regroups old points into one sample per (agent, time). Their report's seq is not known, so
 * samples get seq MOVED_SEQ, MOVED_SEQ + 1, … (reports start at 1): a second point of one name
 * at one time (the old layout allowed it when the values differed) goes into a further sample.
 */
async function movePoints (db: Kysely<any>): Promise<void> {
  const sets = new Map<string, number>()
  const agents = await db.selectFrom('metric_series').select('agent_id').distinct().orderBy('agent_id').execute()
  for (const { agent_id: agentId } of agents as Array<{ agent_id: string }>) {
    let from = -Infinity
    for (let step = 0; step < Number.MAX_SAFE_INTEGER; step++) {
      let q = db.selectFrom('metric_points as p').innerJoin('metric_series as s', 's.id', 'p.series_id')
        .select(['p.time', 's.name', 'p.value']).where('s.agent_id', '=', agentId)
      if (from !== -Infinity) q = q.where('p.time', '>=', from)
      const rows = (await q.orderBy('p.time').orderBy('s.name').orderBy('p.value').limit(MOVE_CHUNK).execute() as OldPoint[])
        .map((r) => ({ time: Number(r.time), name: r.name, value: Number(r.value) }))
      const last = rows.at(-1)
      if (last === undefined) break
      const complete = rows.length < MOVE_CHUNK
      // The last time of a full chunk may continue in the next one: read it again from there,
      // unless the whole chunk is that one time (then the rest of it is skipped past).
      const whole = complete || rows[0]!.time === last.time ? rows : rows.filter((r) => r.time !== last.time)
      await insertSamples(db, await regroup(db, agentId, whole, sets))
      if (complete) break
      from = whole === rows ? last.time + 1 : last.time
    }
  }
}

async function regroup (db: Kysely<any>, agentId: string, rows: readonly OldPoint[], sets: Map<string, number>): Promise<Sample[]> {
  const groups: Array<{ time: number, seq: number, metrics: Array<{ name: string, value: number }> }> = []
  for (const r of rows) {
    let g = groups.at(-1)
    const sameTime = g !== undefined && g.time === r.time
    if (g === undefined || !sameTime || g.metrics.some((m) => m.name === r.name)) {
      g = { time: r.time, seq: sameTime ? g!.seq + 1 : MOVED_SEQ, metrics: [] }
      groups.push(g)
    }
    g.metrics.push({ name: r.name, value: r.value })
  }
  const out: Sample[] = []
  for (const g of groups) {
    const set = nameSetOf(JSON.stringify(g.metrics.map((m) => m.name)))
    let id = sets.get(set.hash)
    if (id === undefined) {
      const row = await db.insertInto('metric_name_sets').values({ hash: set.hash, names: set.names }).returning('id').executeTakeFirstOrThrow()
      id = Number(row.id)
      await db.insertInto('metric_name_set_members').values(set.members.map(([name, idx]) => ({ set_id: id, name, idx }))).execute()
      sets.set(set.hash, id)
    }
    out.push({ agent_id: agentId, time: g.time, seq: g.seq, names_id: id, values_blob: packValues(g.metrics) })
  }
  return out
}

async function insertSamples (db: Kysely<any>, samples: readonly Sample[]): Promise<void> {
  for (let i = 0; i < samples.length; i += INSERT_ROWS) {
    await db.insertInto('metric_samples').values(samples.slice(i, i + INSERT_ROWS)).execute()
  }
}
