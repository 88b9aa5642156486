import {
  CompiledQuery, SelectQueryNode, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type DatabaseConnection, type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver,
  type Kysely, type QueryCompiler, type QueryResult
} from 'kysely'
import type { NodeSqliteDatabase } from './node-sqlite-database.ts'
import type { TransactionGate } from './transaction-gate.ts'

/**
 * SQLite does roll back DDL with the transaction; Kysely's adapter just does not claim it. With
 * the claim, the migrator runs each migration inside `begin immediate`, so a failed migration
 * leaves no half-made tables and a second process waits instead of migrating alongside.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl (): boolean { return true }
  // One connection really, but `TransactionGate` orders its users (and the ingest worker's).
  override get supportsMultipleConnections (): boolean { return true }
}

/** A handle on the main thread's connection: one per Kysely acquisition, so a transaction is known by it. */
class GatedConnection implements DatabaseConnection {
  readonly #db: NodeSqliteDatabase
  readonly #gate: TransactionGate

  constructor (db: NodeSqliteDatabase, gate: TransactionGate) {
    this.#db = db
    this.#gate = gate
  }

  async executeQuery<R> (compiled: CompiledQuery): Promise<QueryResult<R>> {
    const read = SelectQueryNode.is(compiled.query)
    for (let wait = this.#gate.pass(this, read); wait !== undefined; wait = this.#gate.pass(this, read)) await wait
    return this.run(compiled)
  }

  /** Runs the statement now, synchronously: the caller has passed the gate. */
  run<R> (compiled: CompiledQuery): QueryResult<R> {
    const stmt = this.#db.prepare(compiled.sql)
    if (stmt.reader) return { rows: stmt.all(compiled.parameters) as R[] }
    const { changes, lastInsertRowid } = stmt.run(compiled.parameters) as { changes?: number | bigint, lastInsertRowid?: number | bigint }
    return {
      rows: [],
      numAffectedRows: changes === undefined ? undefined : BigInt(changes),
      insertId: lastInsertRowid === undefined ? undefined : BigInt(lastInsertRowid)
    }
  }

  // eslint-disable-next-line require-yield
  async * streamQuery<R> (): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the SQLite connection')
  }
}

/** What the dialect works on: the main thread's connection, the gate it shares, and what to stop first on destroy. */
export interface GatedSqlite {
  readonly db: NodeSqliteDatabase
  readonly gate: TransactionGate
  readonly onDestroy: () => Promise<void>
}

class GatedSqliteDriver implements Driver {
  readonly #db: NodeSqliteDatabase
  readonly #gate: TransactionGate
  readonly #onDestroy: () => Promise<void>

  constructor (g: GatedSqlite) {
    this.#db = g.db
    this.#gate = g.gate
    this.#onDestroy = g.onDestroy
  }

  async init (): Promise<void> {}
  async acquireConnection (): Promise<DatabaseConnection> { return new GatedConnection(this.#db, this.#gate) }
  async releaseConnection (): Promise<void> {}
  // `begin immediate` takes the write lock up front: a deferred transaction that reads and then
  // writes fails at once with SQLITE_BUSY when another process wrote in between.
  async beginTransaction (c: DatabaseConnection): Promise<void> {
    await this.#gate.enter(c, true)
    try {
      (c as GatedConnection).run(CompiledQuery.raw('begin immediate'))
    } catch (err) {
      this.#gate.leave(c)
      throw err
    }
  }

  async commitTransaction (c: DatabaseConnection): Promise<void> {
    // A failed commit leaves the transaction open and the gate held: Kysely rolls back next.
    (c as GatedConnection).run(CompiledQuery.raw('commit'))
    this.#gate.leave(c)
  }

  async rollbackTransaction (c: DatabaseConnection): Promise<void> {
    try {
      if (this.#db.raw.isTransaction) (c as GatedConnection).run(CompiledQuery.raw('rollback'))
    } finally {
      this.#gate.leave(c)
    }
  }

  async destroy (): Promise<void> {
    await this.#onDestroy()
    this.#db.close()
  }
}

/**
 * Kysely's SQLite dialect on the main thread's connection, ordered by a `TransactionGate` that it
 * shares with the ingest worker (see `sqlite-store.ts`). `onDestroy` runs before the connection
 * closes (it stops the worker).
 */
export class GatedSqliteDialect implements Dialect {
  readonly #g: GatedSqlite

  constructor (g: GatedSqlite) {
    this.#g = g
  }

  createDriver (): Driver { return new GatedSqliteDriver(this.#g) }
  createQueryCompiler (): QueryCompiler { return new SqliteQueryCompiler() }
  createAdapter (): DialectAdapter { return new TransactionalDdlSqliteAdapter() }
  createIntrospector (db: Kysely<any>): DatabaseIntrospector { return new SqliteIntrospector(db) }
}
