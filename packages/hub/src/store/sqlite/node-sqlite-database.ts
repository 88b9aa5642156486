import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** How many prepared statements to keep; Kysely prepares every query anew otherwise. */
const STATEMENT_CACHE_SIZE = 256

/**
 * Adapts Node's built-in `node:sqlite` to the better-sqlite3-like `SqliteDatabase` that Kysely's
 * `SqliteDialect` expects: node:sqlite takes parameters spread, and `columns()` tells whether a
 * statement returns rows. Prepared statements are cached by SQL text (bounded, oldest evicted).
 *
 * Kysely opens transactions with a plain `begin` (deferred). A deferred transaction that reads
 * and then writes fails at once with SQLITE_BUSY when another process wrote in between (the
 * busy timeout does not apply to that upgrade), so `begin` is sent as `begin immediate`, which
 * takes the write lock up front and waits for it under `busy_timeout`.
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly raw: DatabaseSync
  readonly #cache = new Map<string, StatementSync>()

  constructor (raw: DatabaseSync) {
    this.raw = raw
  }

  /** A cached prepared statement for `sql`. */
  statement (sql: string): StatementSync {
    let stmt = this.#cache.get(sql)
    if (stmt !== undefined) {
      // Re-insert so that Map order is least recently used first.
      this.#cache.delete(sql)
    } else {
      stmt = this.raw.prepare(sql)
      if (this.#cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#cache.keys().next()
        if (oldest.done !== true) this.#cache.delete(oldest.value)
      }
    }
    this.#cache.set(sql, stmt)
    return stmt
  }

  prepare (sql: string): SqliteStatement {
    const stmt = this.statement(sql.trim().toLowerCase() === 'begin' ? 'begin immediate' : sql)
    const args = (params: ReadonlyArray<unknown>): SQLInputValue[] => params as SQLInputValue[]
    return {
      reader: stmt.columns().length > 0,
      all: (params) => stmt.all(...args(params)),
      run: (params) => stmt.run(...args(params)),
      iterate: (params) => stmt.iterate(...args(params))
    }
  }

  close (): void {
    this.#cache.clear()
    this.raw.close()
  }
}
