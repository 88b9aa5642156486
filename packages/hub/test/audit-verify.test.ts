// The audit-chain walk over a real SQLite store, in small pages so that links cross page ends.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import type { Store } from '@outpost/hub'
import { verifyAuditLog } from '../src/audit/audit-verify.ts'
import { auditHash } from '../src/store/kysely/audit-chain.ts'
import { backends, open } from './store-fixtures.ts'

const found = backends.find((b) => b.kind === 'sqlite')
if (found === undefined) throw new Error('fixture: no sqlite backend')
const sqlite = found

async function seeded (t: Parameters<typeof open>[0]): Promise<{ store: Store, file: string }> {
  const where = await sqlite.location(t)
  if (where.kind !== 'sqlite') throw new Error('fixture: expected a sqlite location')
  const store = await open(t, where)
  for (let i = 1; i <= 7; i++) await store.appendAudit({ time: i, actor: 'user:alice', action: 'token.create', target: `token:${i}`, result: 'ok', detail: { i } })
  return { store, file: where.file }
}

const walk = (store: Store) => verifyAuditLog((afterId, limit) => store.listAuditAfter(afterId, limit), 2)

/** Changes the file behind the store's back, as someone with file access would. */
function tamper (file: string, statements: string): void {
  const db = new DatabaseSync(file)
  try {
    db.exec(`drop trigger audit_no_update; drop trigger audit_no_delete; ${statements}`)
  } finally {
    db.close()
  }
}

test('an intact log verifies across pages and reports its head', async (t) => {
  const { store } = await seeded(t)
  const [newest] = await store.listAudit(1)
  assert.deepEqual(await walk(store), { ok: true, entries: 7, head: newest?.hash })
})

test('a swap across a page end is a reordering; an entry rewritten with a fresh hash is a broken link', async (t) => {
  const { store, file } = await seeded(t)
  tamper(file, 'update audit set id = -1 where id = 2; update audit set id = 2 where id = 5; update audit set id = 5 where id = -1')
  assert.deepEqual(await walk(store), { ok: false, entries: 7, firstBadId: 2, reason: 'reordered' })

  const other = await seeded(t)
  const [e4] = (await other.store.listAuditAfter(3, 1))
  assert.ok(e4 !== undefined)
  const forged = { ...e4, result: 'denied' }
  tamper(other.file, `update audit set result = 'denied', hash = '${auditHash(e4.prevHash, forged)}' where id = 4`)
  assert.deepEqual(await walk(other.store), { ok: false, entries: 7, firstBadId: 5, reason: 'broken' })
})

test('removing the first entry is found', async (t) => {
  const { store, file } = await seeded(t)
  tamper(file, 'delete from audit where id = 1')
  assert.deepEqual(await walk(store), { ok: false, entries: 6, firstBadId: 1, reason: 'removed' })
})
