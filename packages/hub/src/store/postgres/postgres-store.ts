import pg from 'pg'
import { Kysely, PostgresDialect, sql } from 'kysely'
import { HubError, HubErrorCode } from '../../errors.ts'
import type { DbSchema } from '../kysely/db-schema.ts'
import { KyselyStore } from '../kysely/kysely-store.ts'
import { migrateToLatest } from '../kysely/migrate.ts'
import { PostgresIngest } from './postgres-ingest.ts'

/** Schema used when none is given. */
export const DEFAULT_POSTGRES_SCHEMA = 'public'
/** Connections per hub: enough for ingest, long-polls' queries and the API side by side. */
export const POSTGRES_POOL_SIZE = 10
/** A plain identifier, so it can be put in `search_path` and DDL without quoting games. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

const INT8_OID = 20
/**
 * `pg` returns int8 as strings to be safe beyond 2^53. Our int8 columns hold millisecond times,
 * sequence numbers and ids, all far below that, so they are parsed to numbers for this pool only
 * (not via the global `pg.types`, which other code in the process may rely on).
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser
}

/** Connects a pool to `url` with every connection on `schema`; returns an unmigrated store. */
export function openPostgresStore (url: string, schema: string = DEFAULT_POSTGRES_SCHEMA, onError?: (err: Error) => void): KyselyStore {
  if (!SCHEMA_NAME.test(schema)) {
    throw new HubError(HubErrorCode.Config, `invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`)
  }
  // `options` is sent in the startup packet, so search_path holds on every pooled connection
  // from its first statement, including the ones the ingest path uses.
  const pool = new pg.Pool({ connectionString: url, max: POSTGRES_POOL_SIZE, options: `-c search_path=${schema}`, types })
  // An idle pooled connection that breaks (server restart, network) is already discarded by
  // `pg`, and the next query opens a new one or fails with its own error; without a listener the
  // event would crash the process, so it goes to the caller (the hub logs it).
  pool.on('error', (err) => onError?.(err))
  const db = new Kysely<DbSchema>({ dialect: new PostgresDialect({ pool }) })
  const ingest = new PostgresIngest(db)
  return new KyselyStore({
    kind: 'postgres',
    db,
    ingest: (reports) => ingest.write(reports),
    migrate: () => migrateToLatest(db, 'postgres', schema),
    close: () => db.destroy(),
    lockAudit: async (trx) => {
      // Appends from several hubs must read the last hash and insert in turn, or the chain forks.
      await sql`lock table audit in share row exclusive mode`.execute(trx)
    }
  })
}
