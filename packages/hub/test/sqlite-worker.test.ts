// The SQLite store writes report batches in a worker thread and orders them against the main
// thread's connection with a gate: these check what that could break — the driver's error details,
// opening errors, closing, a store left open, and transactions among concurrent callers.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { Kysely, sql } from 'kysely'
import { openStore } from '@outpost/hub'
import { backends, report as fixtureReport, storeWithAgents } from './store-fixtures.ts'
import { NodeSqliteDatabase } from '../src/store/sqlite/node-sqlite-database.ts'
import { openSqliteFile } from '../src/store/sqlite/sqlite-file.ts'
import { TransactionGate } from '../src/store/sqlite/transaction-gate.ts'
import { GatedSqliteDialect } from '../src/store/sqlite/gated-sqlite-dialect.ts'

const sqlite = backends.find((b) => b.kind === 'sqlite')!

function tempDir (t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-sqlw-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

const report = (agentId: string, seq: number) => ({ agentId, seq, time: 10, receivedAt: 10, metrics: [{ name: 'm', value: 1 }], events: [] })

test('a failed batch in the worker reaches the caller as HUB_ERR_STORE with SQLite\'s own code', async (t) => {
  const store = await openStore({ kind: 'sqlite', file: path.join(tempDir(t), 'hub.db') })
  t.after(() => store.close())
  // No such agent: the receipt's foreign key fails inside the worker.
  const err = await store.ingestReports([report('ghost', 1)]).then(() => undefined, (e: unknown) => e)
  assert.equal((err as { code?: string }).code, 'HUB_ERR_STORE')
  const cause = (err as { cause?: { code?: string, errcode?: number, message?: string } }).cause
  assert.equal(cause?.code, 'ERR_SQLITE_ERROR')
  assert.equal(cause?.errcode, 787, `SQLITE_CONSTRAINT_FOREIGNKEY, got ${cause?.message}`)
  // The connection is still usable afterwards.
  assert.equal(await store.getAgent('ghost'), undefined)
})

test('a file that cannot be opened fails at open with HUB_ERR_STORE', async (t) => {
  const dir = tempDir(t)
  // A directory where the database file should be.
  fs.mkdirSync(path.join(dir, 'hub.db'))
  await assert.rejects(openStore({ kind: 'sqlite', file: path.join(dir, 'hub.db') }), { code: 'HUB_ERR_STORE', message: /cannot open SQLite database/ })
})

test('after close every call fails with HUB_ERR_STORE instead of hanging', async (t) => {
  const store = await openStore({ kind: 'sqlite', file: path.join(tempDir(t), 'hub.db') })
  await store.close()
  await assert.rejects(store.getAgent('a'), { code: 'HUB_ERR_STORE' })
})

test('an open, idle store does not keep the process alive', (t) => {
  const dir = tempDir(t)
  const file = path.join(dir, 'hub.db')
  const script = path.join(dir, 'idle-store.mjs')
  fs.writeFileSync(script, `import { openStore } from ${JSON.stringify(import.meta.resolve('@outpost/hub'))}
const s = await openStore({ kind: 'sqlite', file: ${JSON.stringify(file)} })
await s.getAgent('a')
process.stdout.write('queried')`)
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 })
  assert.equal(r.stdout, 'queried', r.stderr)
  assert.equal(r.status, 0, `the process should exit on its own (signal ${r.signal}): ${r.stderr}`)
})

function rawDb (t: TestContext): Kysely<any> {
  const file = path.join(tempDir(t), 'raw.db')
  const db = new Kysely<any>({ dialect: new GatedSqliteDialect({ db: new NodeSqliteDatabase(openSqliteFile(file)), gate: new TransactionGate(), onDestroy: async () => {} }) })
  t.after(() => db.destroy())
  return db
}

test('a statement of another caller is not drawn into an open transaction', async (t) => {
  const db = rawDb(t)
  await sql`create table t (x integer)`.execute(db)
  let hold!: () => void
  const held = new Promise<void>((resolve) => { hold = resolve })
  let inserted = false
  const tx = db.transaction().execute(async (trx) => {
    await trx.insertInto('t').values({ x: 1 }).execute()
    // Another caller writes while the transaction is open; then the transaction fails.
    const other = db.insertInto('t').values({ x: 2 }).execute().then(() => { inserted = true })
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(inserted, false, 'the other statement waits for the transaction to end')
    hold()
    await held
    throw Object.assign(new Error('give up'), { other })
  })
  const err = await tx.then(() => undefined, (e: { other: Promise<void> }) => e)
  await err?.other
  // Rolled back: x = 1 is gone; the other caller's row stays.
  assert.deepEqual((await db.selectFrom('t').select('x').execute()).map((r) => r.x), [2])
})

test('many pipelined statements and transactions at once all complete, each transaction atomic', async (t) => {
  const db = rawDb(t)
  await sql`create table t (x integer)`.execute(db)
  const singles = Array.from({ length: 2000 }, (_, i) => db.insertInto('t').values({ x: i }).execute())
  // Each transaction reads the count and writes it back with its own marker: interleaving would
  // let two transactions see the same count.
  const counts = Array.from({ length: 50 }, () => db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('t').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()
    await trx.insertInto('t').values({ x: -1 - Number(row.n) }).execute()
  }))
  await Promise.all([...singles, ...counts])
  const rows = await db.selectFrom('t').select('x').execute()
  assert.equal(rows.length, 2050)
  const markers = rows.map((r) => r.x as number).filter((x) => x < 0)
  assert.equal(new Set(markers).size, 50, 'no two transactions saw the same count')
})

test('report batches in the worker, with main-thread writes and transactions between them, all land', async (t) => {
  const store = await storeWithAgents(t, sqlite, Array.from({ length: 20 }, (_, i) => `a${i}`))
  const ids = Array.from({ length: 20 }, (_, i) => `a${i}`)
  const batches = Array.from({ length: 30 }, (_, b) => store.ingestReports(ids.map((id) => fixtureReport(id, b + 1, 10 * (b + 1)))))
  // Meanwhile: main-thread writes (lastSeen) and transactions (each audit entry is one).
  const touches = ids.map((id, i) => store.touchAgent(id, 5000 + i))
  const audits = ids.map((id) => store.appendAudit({ time: 1, actor: 'user:admin', action: 'test', target: id, result: 'ok', detail: {} }))
  await Promise.all([...batches, ...touches, ...audits])
  for (const id of ids) {
    assert.equal((await store.queryMetrics(id, 'm.v0', 0, 1000, 100)).length, 30, `every report of ${id} stored`)
    assert.ok(((await store.getAgent(id))?.lastSeen ?? 0) >= 5000)
  }
  assert.equal((await store.listAudit(100)).filter((e) => e.action === 'test').length, 20)
})
