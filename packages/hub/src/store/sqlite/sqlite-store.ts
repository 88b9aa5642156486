import fs from 'node:fs'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { Kysely, SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely'
import { HubError, HubErrorCode } from '../../errors.ts'
import type { DbSchema } from '../kysely/db-schema.ts'
import { KyselyStore } from '../kysely/kysely-store.ts'
import { migrateToLatest } from '../kysely/migrate.ts'
import { NodeSqliteDatabase } from './node-sqlite-database.ts'
import { SqliteIngest } from './sqlite-ingest.ts'

/** How long a statement waits for another process's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000

/**
 * SQLite does roll back DDL with the transaction; Kysely's adapter just does not claim it. With
 * the claim, the migrator runs each migration inside `begin immediate`, so a failed migration
 * leaves no half-made tables and a second process waits instead of migrating alongside.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl (): boolean { return true }
}

class NodeSqliteDialect extends SqliteDialect {
  override createAdapter (): DialectAdapter { return new TransactionalDdlSqliteAdapter() }
}

/** Opens (creating if needed) the SQLite file and returns an unmigrated store. */
export function openSqliteStore (file: string): KyselyStore {
  let raw: DatabaseSync
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
    raw = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: SQLITE_BUSY_TIMEOUT_MS })
    raw.exec(`
      pragma journal_mode = wal;
      pragma busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS};
      pragma foreign_keys = on;
      -- FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so a power cut or OS
      -- crash can lose the last transactions although they were committed, and the hub would
      -- have acknowledged reports the agent then drops from its spool. FULL fsyncs the WAL at
      -- every commit, so an acknowledged report survives power loss (given a disk that honours
      -- fsync). The cost is one fsync per transaction, which group commit spreads over a batch.
      pragma synchronous = full;
      -- 64 MiB of page cache (SQLite's default is 2 MiB): with thousands of agents the latest
      -- rows of agents and metrics are read on every group commit, and each page read is a
      -- system call on the event loop.
      pragma cache_size = -65536;
    `)
  } catch (cause) {
    throw new HubError(HubErrorCode.Store, `cannot open SQLite database ${file}`, { cause })
  }
  const database = new NodeSqliteDatabase(raw)
  const db = new Kysely<DbSchema>({ dialect: new NodeSqliteDialect({ database }) })
  const ingest = new SqliteIngest(database)
  return new KyselyStore({
    kind: 'sqlite',
    db,
    // Kysely's connection lock keeps its own transactions from interleaving with the raw batch.
    ingest: (reports) => db.connection().execute(async () => { ingest.write(reports) }),
    migrate: () => migrateToLatest(db, 'sqlite'),
    close: () => db.destroy(),
    // One connection, one write transaction at a time: the chain cannot fork.
    lockAudit: async () => {}
  })
}
