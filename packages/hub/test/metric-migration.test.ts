import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Migrator } from 'kysely/migration'
import { migrations } from '../src/store/kysely/migrations.ts'
import { backends, rawDb, open } from './store-fixtures.ts'


for (const b of backends) {
  describe(`0002_metric_samples on ${b.kind}`, () => {
    test('moves points and latest values of the one-row-per-value layout', async (t) => {
      const where = await b.location(t)
      const db = rawDb(t, where)
      const schema = where.kind === 'postgres' ? where.schema : undefined
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(b.kind) }, ...(schema === undefined ? {} : { migrationTableSchema: schema }) })
      const done = await migrator.migrateTo('0001_initial')
      assert.equal(done.error, undefined)

      const agent = { name: 'n', group_name: 'g', enrolled_at: 1, inventory: null, inventory_at: null, snapshot: null, snapshot_at: null, last_seen: null }
      await db.insertInto('agents').values([
        { ...agent, id: 'a1', public_key: 'k1', metrics: JSON.stringify({ cpu: 5, mem: -2.5 }), metrics_at: 30 },
        { ...agent, id: 'a2', public_key: 'k2', metrics: null, metrics_at: null }
      ]).execute()
      const series = await db.insertInto('metric_series').values([
        { agent_id: 'a1', name: 'cpu' }, { agent_id: 'a1', name: 'mem' }, { agent_id: 'a2', name: 'cpu' }
      ]).returning(['id', 'agent_id', 'name']).execute()
      const id = (agentId: string, name: string) => Number(series.find((s) => s.agent_id === agentId && s.name === name)?.id)
      await db.insertInto('metric_points').values([
        { series_id: id('a1', 'cpu'), time: 10, value: 1 },
        { series_id: id('a1', 'mem'), time: 10, value: 0.1 + 0.2 },
        { series_id: id('a1', 'mem'), time: 20, value: 3 },
        // Two points of one name at one time: the old layout kept both.
        { series_id: id('a1', 'cpu'), time: 30, value: 4 },
        { series_id: id('a1', 'cpu'), time: 30, value: 5 },
        { series_id: id('a2', 'cpu'), time: 10, value: 1e308 }
      ]).execute()

      const s = await open(t, where)
      assert.deepEqual(await s.queryMetrics('a1', 'cpu', 0, 100, 10), [{ time: 10, value: 1 }, { time: 30, value: 4 }, { time: 30, value: 5 }])
      assert.deepEqual(await s.queryMetrics('a1', 'mem', 0, 100, 10), [{ time: 10, value: 0.1 + 0.2 }, { time: 20, value: 3 }])
      assert.deepEqual(await s.queryMetrics('a2', 'cpu', 0, 100, 10), [{ time: 10, value: 1e308 }])
      assert.deepEqual(await s.latestMetrics('a1'), { time: 30, values: { cpu: 5, mem: -2.5 } })
      assert.deepEqual(await s.latestMetrics('a2'), { time: null, values: {} })
      const tables = b.kind === 'sqlite'
        ? await db.selectFrom('sqlite_master').select('name').where('name', 'in', ['metric_points', 'metric_series']).execute()
        : await db.selectFrom('information_schema.tables').select('table_name as name').where('table_schema', '=', schema ?? 'public').where('table_name', 'in', ['metric_points', 'metric_series']).execute()
      assert.deepEqual(tables, [], 'old tables dropped')

      // New reports after the move land next to the moved points.
      await s.ingestReports([{ agentId: 'a1', seq: 1, time: 40, receivedAt: 41, events: [], metrics: [{ name: 'cpu', value: 6 }] }])
      assert.deepEqual((await s.queryMetrics('a1', 'cpu', 0, 100, 10)).map((p) => p.value), [1, 4, 5, 6])
      assert.deepEqual(await s.latestMetrics('a1'), { time: 40, values: { cpu: 6, mem: -2.5 } })
    })
  })
}
