import path from 'node:path'
import type { HubConfig } from './hub-config.ts'
import type { StoreOptions } from '../store/open-store.ts'

/** Name of the SQLite database file inside the data directory. */
export const SQLITE_FILE_NAME = 'outpost.sqlite'

/** The store the config asks for. */
export function storeOptionsFor (config: HubConfig): StoreOptions {
  if (config.store.kind === 'sqlite') return { kind: 'sqlite', file: path.join(config.dataDir, SQLITE_FILE_NAME) }
  return { kind: 'postgres', url: config.store.url, schema: config.store.schema }
}
