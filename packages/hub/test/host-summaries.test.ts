import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Migrator } from 'kysely/migration'
import type { Inventory } from '@outpost/protocol'
import { migrations } from '../src/store/kysely/migrations.ts'
import { backends, rawDb, open, report, storeWithAgents } from './store-fixtures.ts'
import { inventoryWithCores } from './support/alerts-inventory.ts'

const inventory = (distribution: string, release: string): Inventory => {
  const inv = inventoryWithCores(2)
  return { ...inv, os: { ...inv.os, distribution, release } }
}


for (const b of backends) {
  describe(`listHostSummaries on ${b.kind}`, () => {
    test('os is empty before an inventory and follows the newest one after', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2'])
      assert.deepEqual(await s.listHostSummaries(['a1']), [{ id: 'a1', name: 'host-a1', group: 'default', enrolledAt: 1000, lastSeen: null, os: '' }])
      await s.ingestReports([report('a1', 2, 200, 1, { inventory: inventory('Debian GNU/Linux', '12') })])
      // A replayed older inventory changes neither the inventory nor its os.
      await s.ingestReports([report('a1', 1, 100, 1, { inventory: inventory('Old', '1') }), report('a2', 1, 100, 1, { inventory: inventory('Alpine', '') })])
      assert.deepEqual(await s.listHostSummaries(['a1', 'a2']), [
        { id: 'a1', name: 'host-a1', group: 'default', enrolledAt: 1000, lastSeen: 201, os: 'Debian GNU/Linux 12' },
        { id: 'a2', name: 'host-a2', group: 'default', enrolledAt: 1000, lastSeen: 101, os: 'Alpine' }
      ])
      assert.equal((await s.getAgent('a1'))?.os, 'Debian GNU/Linux 12')
    })

    test('returns only the asked ids, skips unknown ones, and all hosts without ids', async (t) => {
      const ids = Array.from({ length: 7 }, (_, i) => `a${i}`)
      const s = await storeWithAgents(t, b, ids)
      assert.deepEqual((await s.listHostSummaries(['a5', 'ghost', 'a1', 'a5'])).map((h) => h.id), ['a1', 'a5'])
      assert.deepEqual(await s.listHostSummaries([]), [])
      assert.deepEqual(await s.listHostSummaries(['ghost']), [])
      assert.deepEqual((await s.listHostSummaries()).map((h) => h.id), ids)
      // More ids than one statement asks for still come back in one answer.
      const many = [...Array.from({ length: 1200 }, (_, i) => `unknown-${i}`), 'a6', 'a0']
      assert.deepEqual((await s.listHostSummaries(many)).map((h) => h.id), ['a0', 'a6'])
    })

    test('0005_agent_os fills os of agents stored before it', async (t) => {
      const where = await b.location(t)
      const db = rawDb(t, where)
      const schema = where.kind === 'postgres' ? where.schema : undefined
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(b.kind) }, ...(schema === undefined ? {} : { migrationTableSchema: schema }) })
      assert.equal((await migrator.migrateTo('0004_alerts')).error, undefined)
      const agent = { group_name: 'g', enrolled_at: 1, inventory_at: 5, snapshot: null, snapshot_at: null, last_seen: 7 }
      await db.insertInto('agents').values([
        { ...agent, id: 'a1', name: 'n1', public_key: 'k1', inventory: JSON.stringify(inventory('Ubuntu', '24.04')) },
        { ...agent, id: 'a2', name: 'n2', public_key: 'k2', inventory: JSON.stringify(inventory('', '9')) },
        { ...agent, id: 'a3', name: 'n3', public_key: 'k3', inventory: null, inventory_at: null }
      ]).execute()

      const s = await open(t, where)
      assert.deepEqual((await s.listHostSummaries()).map((h) => [h.id, h.os]), [['a1', 'Ubuntu 24.04'], ['a2', '9'], ['a3', '']])
      assert.equal((await s.getAgent('a1'))?.inventory?.os.release, '24.04')
    })
  })
}
