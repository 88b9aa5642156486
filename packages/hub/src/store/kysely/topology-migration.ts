import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * 0008: the relay topology (see `topology-store.ts`). `relay_reports`: each relay's latest
 * report; `host_links`: each agent's latest word on its upstream; `first_hops`: the relay each
 * host's connections reach first, kept after the relay stops listing it (that is how the hub
 * knows who was behind a relay that died). All three hang off `agents`.
 */
export function topologyMigration (kind: 'sqlite' | 'postgres'): Migration {
  const json = kind === 'postgres' ? 'jsonb' : 'text'
  return {
    async up (db: Kysely<any>): Promise<void> {
      await db.schema.createTable('relay_reports')
        .addColumn('relay_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
        .addColumn('report', json, (c) => c.notNull())
        .addColumn('reported_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createTable('host_links')
        .addColumn('agent_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
        .addColumn('link', json, (c) => c.notNull())
        .addColumn('reported_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createTable('first_hops')
        .addColumn('host_id', 'text', (c) => c.primaryKey().references('agents.id').onDelete('cascade'))
        .addColumn('relay_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute()
      // A relay's report compares what it lists with the hosts already behind it.
      await db.schema.createIndex('first_hops_relay').on('first_hops').column('relay_id').execute()
    }
  }
}
