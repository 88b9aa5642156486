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
  // Bounded: only the two races below are retried, a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateOnce(db, kind, schema)
      return
    } catch (err) {
      if (attempt >= 3 || !isBookkeepingRace(err)) throw err
    }
  }
}

/**
 * Races in Kysely's bookkeeping before it takes its lock, on a server shared with other schemas:
 * it looks for its table by listing the columns of every schema, which fails when another schema
 * is dropped during the query (`3F000`); and two hubs creating its table at once may collide on
 * the table's type name (`23505`) or one may query the table while the other is still making it
 * (`42703` on `kysely_migration`). None leaves anything half-done; trying again is the fix.
 */
function isBookkeepingRace (err: unknown): boolean {
  type PgError = { code?: unknown, constraint?: unknown, message?: unknown, cause?: PgError }
  const e = err as PgError | undefined
  return [e, e?.cause].some((c) => c?.code === '3F000' ||
    (c?.code === '23505' && c.constraint === 'pg_type_typname_nsp_index') ||
    (c?.code === '42703' && typeof c.message === 'string' && c.message.includes('kysely_migration')))
}

async function migrateOnce (db: Kysely<any>, kind: 'sqlite' | 'postgres', schema?: string): Promise<void> {
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
