import { Kysely } from 'kysely'
import { HubError, HubErrorCode } from '../../errors.ts'
import type { DbSchema } from '../kysely/db-schema.ts'
import type { IngestReport } from '../store.ts'
import { KyselyStore } from '../kysely/kysely-store.ts'
import { migrateToLatest } from '../kysely/migrate.ts'
import { GatedSqliteDialect } from './gated-sqlite-dialect.ts'
import { NodeSqliteDatabase } from './node-sqlite-database.ts'
import { openSqliteFile } from './sqlite-file.ts'
import { SqliteWorkerClient } from './sqlite-worker-client.ts'
import { TransactionGate } from './transaction-gate.ts'

/**
 * Opens (creating if needed) the SQLite file and returns an unmigrated store. Queries run on this
 * thread's connection; report batches, the bulk of the writes, run in a worker thread on a second
 * connection (`sqlite-worker.ts`), so that their statements and their commit's fsync do not hold
 * the event loop. A `TransactionGate` keeps the two from writing at once.
 */
export function openSqliteStore (file: string): KyselyStore {
  let db: NodeSqliteDatabase
  try {
    // Opened before the worker's: a file that cannot be opened fails now, with its reason, and
    // WAL mode is set before the worker opens it.
    db = new NodeSqliteDatabase(openSqliteFile(file))
  } catch (cause) {
    throw new HubError(HubErrorCode.Store, `cannot open SQLite database ${file}`, { cause })
  }
  const worker = new SqliteWorkerClient(file)
  const gate = new TransactionGate()
  const kysely = new Kysely<DbSchema>({ dialect: new GatedSqliteDialect({ db, gate, onDestroy: () => worker.close() }) })
  const ingestBatch = async (reports: readonly IngestReport[]): Promise<void> => {
    const batch = {}
    await gate.enter(batch, false)
    try {
      await worker.ingest(reports)
    } finally {
      gate.leave(batch)
    }
  }
  return new KyselyStore({
    kind: 'sqlite',
    db: kysely,
    ingest: ingestBatch,
    migrate: () => migrateToLatest(kysely, 'sqlite'),
    close: () => kysely.destroy(),
    // The gate lets one write transaction run at a time: the chain cannot fork.
    lockAudit: async () => {}
  })
}
