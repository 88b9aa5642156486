import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { DatabaseSync } from 'node:sqlite'
import pg from 'pg'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { startPostgres } from '@outpost/testkit'
import { NodeSqliteDatabase } from '../src/store/sqlite/node-sqlite-database.ts'
import { openStore, type IngestReport, type NewCommand, type Store, type StoreOptions } from '@outpost/hub'

/** One backend of the contract suite: opens a fresh, migrated store and cleans it up after the test. */
export interface Backend {
  readonly kind: 'sqlite' | 'postgres'
  /** Fresh location (file or schema) for this test; more stores may be opened on it. */
  location (t: TestContext): Promise<StoreOptions>
}

export const backends: readonly Backend[] = [
  {
    kind: 'sqlite',
    async location (t) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-'))
      t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
      return { kind: 'sqlite', file: path.join(dir, 'hub.db') }
    }
  },
  {
    kind: 'postgres',
    async location (t) {
      const pg = await startPostgres()
      t.after(() => pg.cleanup())
      return { kind: 'postgres', url: pg.url, schema: pg.schema }
    }
  }
]

/** Opens a store at `where`, closed after the test (before the location is removed). */
export async function open (t: TestContext, where: StoreOptions): Promise<Store> {
  const store = await openStore(where)
  t.after(() => store.close())
  return store
}

/** A fresh store with one enrolled agent per id in `agents`. */
export async function storeWithAgents (t: TestContext, b: Backend, agents: readonly string[] = []): Promise<Store> {
  const store = await open(t, await b.location(t))
  for (const id of agents) await enroll(store, id)
  return store
}

/** Enrolls agent `id` through a token of its own. */
export async function enroll (store: Store, id: string, group = 'default'): Promise<void> {
  await store.createEnrollToken({ id: `tok-${id}`, secretHash: `hash-${id}`, group, expiresAt: 2_000_000, createdAt: 1, createdBy: 'user:admin' })
  const rec = await store.enrollAgent(`tok-${id}`, `hash-${id}`, { id, name: `host-${id}`, publicKey: `key-${id}`, enrolledAt: 1000 })
  if (rec === undefined) throw new Error(`fixture: enrolling ${id} failed`)
}

/** A report with `n` metrics named `m.v<i>`, valued `seq + i / 100`. */
export function report (agentId: string, seq: number, time: number, n = 3, extra: Partial<IngestReport> = {}): IngestReport {
  return {
    agentId,
    seq,
    time,
    receivedAt: time + 1,
    metrics: Array.from({ length: n }, (_, i) => ({ name: `m.v${i}`, value: seq + i / 100 })),
    events: [],
    ...extra
  }
}

/** A queued `report-now` command. */
export function command (id: string, agentId: string, createdAt: number, expiresAt: number): NewCommand {
  return { id, agentId, issuer: 'user:admin', body: { type: 'report-now' }, nonce: `nonce-${id}`, createdAt, expiresAt }
}

/** A raw connection to `where`, for writing rows as an older hub (or an attacker) would. */
export function rawDb (t: TestContext, where: StoreOptions): Kysely<any> {
  const db = where.kind === 'sqlite'
    ? new Kysely<any>({ dialect: new SqliteDialect({ database: new NodeSqliteDatabase(new DatabaseSync(where.file)) }) })
    : new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: where.url, max: 1, options: `-c search_path=${where.schema ?? 'public'}` }) }) })
  t.after(() => db.destroy())
  return db
}
