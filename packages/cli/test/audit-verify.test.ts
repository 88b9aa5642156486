// `outpost admin audit verify` against a real hub's data: intact after audited work, then
// tampered with the way an attacker with file or database access would (dropping the
// append-only triggers first), and each edit, removal and reordering is found.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import pg from 'pg'
import { runOutpost, startPostgres } from '@outpost/testkit'
import { adminToken, startHubProcess, tempDir, type HubProcess } from './support.ts'

/** Audited work on a running hub, then the hub is stopped. */
async function auditedHub (t: Parameters<typeof startHubProcess>[0], flags: readonly string[] = []): Promise<HubProcess> {
  const hub = await startHubProcess(t, { flags })
  await adminToken(hub, ['api-token', '--name', 'ops', '--role', 'operator'])
  await adminToken(hub, ['enroll-token', '--group', 'web'])
  assert.equal(await hub.proc.stop(), 0)
  return hub
}

function verify (dataDir: string, flags: readonly string[] = []): ReturnType<typeof runOutpost> {
  return runOutpost(['admin', 'audit', 'verify', '--data', dataDir, ...flags])
}

/** A copy of the hub's data dir, tampered with through the SQLite file itself. */
function tampered (t: Parameters<typeof tempDir>[0], hub: HubProcess, attack: (db: DatabaseSync) => void): string {
  const dir = path.join(tempDir(t), 'data')
  fs.cpSync(hub.dataDir, dir, { recursive: true })
  const db = new DatabaseSync(path.join(dir, 'outpost.sqlite'))
  try {
    assert.throws(() => db.exec('delete from audit where id = 1'), /append-only/, 'the triggers refuse a plain delete')
    db.exec('drop trigger audit_no_update; drop trigger audit_no_delete')
    attack(db)
  } finally {
    db.close()
  }
  return dir
}

test('audit verify: intact log, then an edited, a removed and a reordered entry (SQLite)', async (t) => {
  const hub = await auditedHub(t)
  const ok = await verify(hub.dataDir)
  assert.equal(ok.code, 0, ok.stderr)
  const m = /^audit log intact: (\d+) entries, head ([0-9a-f]{64})\n$/.exec(ok.stdout)
  assert.ok(m !== null, ok.stdout)
  assert.ok(Number(m[1]) >= 3, 'the first admin user, the api token and the enrollment token were audited')

  const edited = tampered(t, hub, (db) => { db.exec(`update audit set detail = '{"name":"forged"}' where id = 2`) })
  const removed = tampered(t, hub, (db) => { db.exec('delete from audit where id = 2') })
  const swapped = tampered(t, hub, (db) => {
    db.exec('update audit set id = -1 where id = 2; update audit set id = 2 where id = 3; update audit set id = 3 where id = -1')
  })
  // Independent copies: check them at once to keep the test short.
  const [e, r, s] = await Promise.all([verify(edited), verify(removed), verify(swapped)])
  assert.deepEqual([e.code, e.stderr], [1, 'audit log damaged at entry 2: edited\n'])
  assert.deepEqual([r.code, r.stderr], [1, 'audit log damaged at entry 2: removed\n'])
  assert.deepEqual([s.code, s.stderr], [1, 'audit log damaged at entry 2: reordered\n'])
})

test('audit verify finds an edited entry on PostgreSQL', async (t) => {
  const pgdb = await startPostgres()
  t.after(() => pgdb.cleanup())
  const flags = ['--db', pgdb.url, '--db-schema', pgdb.schema]
  const hub = await auditedHub(t, flags)
  const ok = await verify(hub.dataDir, flags)
  assert.equal(ok.code, 0, ok.stderr)
  assert.match(ok.stdout, /^audit log intact: \d+ entries, head [0-9a-f]{64}\n$/)

  const client = new pg.Client({ connectionString: pgdb.url })
  await client.connect()
  let id: number
  try {
    await assert.rejects(client.query(`delete from ${pgdb.schema}.audit`), /append-only/)
    await client.query(`alter table ${pgdb.schema}.audit disable trigger audit_no_change`)
    const row = await client.query<{ id: string }>(`select id from ${pgdb.schema}.audit order by id offset 1 limit 1`)
    id = Number(row.rows[0]?.id)
    await client.query(`update ${pgdb.schema}.audit set result = 'denied' where id = $1`, [id])
  } finally {
    await client.end()
  }
  const bad = await verify(hub.dataDir, flags)
  assert.equal(bad.code, 1)
  assert.equal(bad.stderr, `audit log damaged at entry ${String(id)}: edited\n`)
})
