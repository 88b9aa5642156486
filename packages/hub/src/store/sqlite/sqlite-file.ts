import fs from 'node:fs'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'

/** How long a statement waits for another process's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000

/** Opens (creating if needed) the SQLite file with the hub's pragmas; throws the driver's error. */
export function openSqliteFile (file: string): DatabaseSync {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const raw = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: SQLITE_BUSY_TIMEOUT_MS })
  try {
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
      -- rows of agents and metrics are read on every group commit.
      pragma cache_size = -65536;
    `)
  } catch (err) {
    raw.close()
    throw err
  }
  return raw
}
