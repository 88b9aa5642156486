import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { decodeEnrollToken } from '@outpost/protocol'
import { openHubAdmin, parseHubConfig, verifyPassword } from '@outpost/hub'
import { ReplayGuard } from '../src/agents/replay-guard.ts'
import { startHub } from './support/hub-fixture.ts'

test('admin without a running hub: tokens carry the URL and fingerprint the hub wrote; the admin user is made once', async (t) => {
  const f = await startHub(t)
  const { publicUrl, fingerprint } = f.hub
  await f.hub.close()
  assert.equal(fs.statSync(path.join(f.dataDir, 'tls', 'hub-key.pem')).mode & 0o777, 0o600)
  const admin = await openHubAdmin(parseHubConfig({ dataDir: f.dataDir }))
  t.after(() => admin.close())
  const token = decodeEnrollToken(await admin.createEnrollToken({ ttlMs: 60_000, group: 'db', createdBy: 'user:cli' }))
  assert.equal(token.url, publicUrl)
  assert.equal(token.fingerprint, fingerprint)
  const first = await admin.ensureAdminUser(null)
  assert.equal(first.created, true)
  assert.ok(typeof first.password === 'string' && first.password.length >= 16)
  assert.deepEqual(await admin.ensureAdminUser('another-password'), { created: false })
})

test('password hashes verify only the right password', async () => {
  const { hashPassword } = await import('@outpost/hub')
  const h = await hashPassword('correct horse')
  assert.equal(await verifyPassword('correct horse', h), true)
  assert.equal(await verifyPassword('correct horsE', h), false)
  assert.equal(await verifyPassword('correct horse', 'scrypt$1$1$1$AA$AA'), false)
})

test('the replay guard refuses a seen nonce and stays bounded without reopening replays', () => {
  const g = new ReplayGuard(1000, 3)
  assert.equal(g.check('a', 'n1', 100, 0), true)
  assert.equal(g.check('a', 'n1', 100, 1), false)
  assert.equal(g.check('a', 'n2', 101, 2), true)
  assert.equal(g.check('a', 'n3', 102, 3), true)
  assert.equal(g.check('a', 'n4', 103, 4), true)
  assert.equal(g.size, 3)
  // n1 was dropped for room: its time is now below the floor, so it is still refused.
  assert.equal(g.check('a', 'n1', 100, 5), false)
  // After the window every entry is forgotten.
  assert.equal(g.check('a', 'n9', 2000, 5000), true)
  assert.equal(g.size, 1)
})
