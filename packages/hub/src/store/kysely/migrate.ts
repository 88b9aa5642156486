import type { Kysely } from 'kysely'
import { Migrator } from 'kysely/migration'
import { HubError, HubErrorCode } from '../../errors.ts'
import { migrations } from './migrations.ts'

/**
 * Brings the schema to the latest migration. Kysely's migrator takes a lock first (a PostgreSQL
 * advisory lock; on SQLite the single connection inside `begin immediate`) and re-reads the
 * applied list under it, so hubs starting together apply each migration once and the others
 * find nothing to do. `schema` pins Kysely's own bookkeeping tables to our schema: without it
 * Kysely would see another schema's `kysely_migration` on a shared server and skip creating ours.
 */
export async function migrateToLatest (db: Kysely<any>, kind: 'sqlite' | 'postgres', schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(kind) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema })
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    throw new HubError(HubErrorCode.Store, `database migration ${failed ?? ''} failed`.replace('  ', ' '), { cause: error })
  }
}
