import type { Store } from './store.ts'
import { openSqliteStore } from './sqlite/sqlite-store.ts'
import { openPostgresStore } from './postgres/postgres-store.ts'

/** Where the hub keeps its data. */
export type StoreOptions =
  | { readonly kind: 'sqlite', readonly file: string }
  | {
    readonly kind: 'postgres'
    readonly url: string
    /** Schema for every table (created if missing); default `public`. */
    readonly schema?: string | undefined
    /** Told about errors of idle pooled connections (already discarded); for logging. */
    readonly onError?: ((err: Error) => void) | undefined
  }

/**
 * Connects to the store and brings its schema up to date. Several hubs may call this at once
 * against one PostgreSQL schema. The caller owns the result and must `close()` it.
 */
export async function openStore (options: StoreOptions): Promise<Store> {
  const store = options.kind === 'sqlite' ? openSqliteStore(options.file) : openPostgresStore(options.url, options.schema, options.onError)
  try {
    await store.migrate()
  } catch (err) {
    try {
      await store.close()
    } catch (closeErr) {
      throw new AggregateError([err, closeErr], 'store migration failed, then closing the store failed')
    }
    throw err
  }
  return store
}
