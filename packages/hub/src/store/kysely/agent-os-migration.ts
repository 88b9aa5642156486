import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * 0005: `agents.os`, the OS string a host list shows, so that listing hosts (and the live
 * publisher's per-second summaries) never parses an inventory. Rows stored before it get it
 * from their inventory here, the same way `osLabel` computes it on ingest.
 */
export function agentOsMigration (kind: 'sqlite' | 'postgres'): Migration {
  return {
    async up (db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('agents').addColumn('os', 'text', (c) => c.notNull().defaultTo('')).execute()
      const label = kind === 'postgres'
        ? sql`btrim(coalesce(inventory->'os'->>'distribution', '') || ' ' || coalesce(inventory->'os'->>'release', ''))`
        : sql`trim(coalesce(json_extract(inventory, '$.os.distribution'), '') || ' ' || coalesce(json_extract(inventory, '$.os.release'), ''))`
      await sql`update agents set os = ${label} where inventory is not null`.execute(db)
    }
  }
}
