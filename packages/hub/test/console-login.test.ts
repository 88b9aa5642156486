import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isValid, SessionInfo, TotpEnrollment } from '@outpost/protocol'
import { base32Decode, hotp, totpStep } from '../src/auth/totp.ts'
import { LOGIN_BURST, LOGIN_REFILL_MS } from '../src/auth/login-throttle.ts'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openStore } from '@outpost/hub'
import { sha256Hex } from '@outpost/protocol'
import { startHub as startTestHub } from '@outpost/testkit'
import { startHub } from './support/hub-fixture.ts'
import { PASSWORD, call, createUser, login, testClock, tryLogin } from './support/console-fixture.ts'

const auditOf = async (f: Awaited<ReturnType<typeof startHub>>, q: string) => (await call(f, 'GET', `/api/v1/audit?${q}`, { bearer: f.adminToken })).json as Array<Record<string, any>>

test('login: a good password answers SessionInfo and a strict session cookie; a wrong password and an unknown user get the same answer', async (t) => {
  const f = await startHub(t)
  await createUser(f, 'alice', 'operator', { groups: ['web'] })
  const b = await login(f, 'alice')
  assert.ok(isValid(SessionInfo, b.login.json), b.login.text)
  assert.equal(b.login.json.user, 'alice')
  assert.equal(b.login.json.role, 'operator')
  assert.deepEqual(b.login.json.groups, ['web'])
  const cookie = b.login.headers['set-cookie']?.[0] ?? ''
  assert.match(cookie, /^outpost_session=[A-Za-z0-9_-]{43};/)
  for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) assert.ok(cookie.split('; ').includes(flag), `${flag} in ${cookie}`)
  assert.equal(b.login.headers['cache-control'], 'no-store')

  const wrong = await tryLogin(f, 'alice', 'not the password')
  const unknown = await tryLogin(f, 'mallory', 'not the password')
  assert.equal(wrong.status, 401)
  assert.equal(wrong.headers['set-cookie'], undefined)
  assert.deepEqual({ status: unknown.status, body: unknown.json }, { status: wrong.status, body: wrong.json })
  assert.equal(wrong.json.error.code, 'HUB_ERR_UNAUTHENTICATED')

  const logins = await auditOf(f, 'action=session.login')
  assert.deepEqual(logins.map((e) => [e.actor, e.result]), [['user:mallory', 'denied'], ['user:alice', 'denied'], ['user:alice', 'ok']])
  assert.equal(logins[0]?.detail.reason, 'unknown-user')
  // The session's own GET answers the same CSRF token; the cookie is never echoed in a body.
  const me = await call(f, 'GET', '/api/v1/session', { browser: b })
  assert.equal(me.status, 200)
  assert.equal(me.json.csrfToken, b.csrf)
  assert.ok(!me.text.includes(b.cookie.split('=')[1] ?? '-'))
})

test('login: 5 failures lock the user (429 + Retry-After) even for the right password, until the lock ends; unknown names lock alike', async (t) => {
  const clock = testClock()
  const f = await startHub(t, {}, { now: clock.now })
  await createUser(f, 'alice', 'viewer')
  for (let i = 1; i <= 4; i++) assert.equal((await tryLogin(f, 'alice', 'wrong password')).status, 401, `failure ${i}`)
  const fifth = await tryLogin(f, 'alice', 'wrong password')
  assert.equal(fifth.status, 429)
  assert.equal(fifth.json.error.code, 'HUB_ERR_LOCKED')
  assert.equal(fifth.headers['retry-after'], String(15 * 60))
  const right = await tryLogin(f, 'alice', PASSWORD)
  assert.equal(right.status, 429, 'the right password does not open a locked account')
  assert.equal(right.json.error.code, 'HUB_ERR_LOCKED')
  const users = (await call(f, 'GET', '/api/v1/users', { bearer: f.adminToken })).json as Array<Record<string, unknown>>
  assert.notEqual(users.find((u) => u.name === 'alice')?.lockedUntil, null)

  clock.advance(15 * 60_000 + 1)
  await login(f, 'alice')
  // The count starts over after a success.
  assert.equal((await tryLogin(f, 'alice', 'wrong password')).status, 401)

  for (let i = 1; i <= 4; i++) assert.equal((await tryLogin(f, 'ghost', 'wrong password')).status, 401)
  const ghost = await tryLogin(f, 'ghost', 'wrong password')
  assert.equal(ghost.status, 429)
  assert.deepEqual(ghost.json, fifth.json, 'an unknown name locks with the same answer')
})

test('login: each client address has a token bucket: the burst, then 429 with Retry-After, then one more per refill', async (t) => {
  const clock = testClock()
  const f = await startHub(t, {}, { now: clock.now })
  for (let i = 0; i < LOGIN_BURST; i++) assert.equal((await tryLogin(f, `nobody${i}`, 'x')).status, 401)
  const throttled = await tryLogin(f, 'nobody', 'x')
  assert.equal(throttled.status, 429)
  assert.equal(throttled.json.error.code, 'HUB_ERR_THROTTLED')
  assert.equal(throttled.headers['retry-after'], String(LOGIN_REFILL_MS / 1000))
  clock.advance(LOGIN_REFILL_MS)
  assert.equal((await tryLogin(f, 'nobody', 'x')).status, 401)
  assert.equal((await tryLogin(f, 'nobody', 'x')).status, 429)
  const audit = await auditOf(f, 'action=session.login&limit=1')
  assert.equal(audit[0]?.result, 'HUB_ERR_THROTTLED')
})

test('TOTP: once enabled a code is required; wrong and reused codes are refused; the user may enable it for themself, not for others', async (t) => {
  const clock = testClock()
  const f = await startHub(t, {}, { now: clock.now })
  await createUser(f, 'alice', 'operator')
  await createUser(f, 'bob', 'operator')
  const alice = await login(f, 'alice')
  const forBob = await call(f, 'POST', '/api/v1/users/bob/totp', { browser: alice })
  assert.equal(forBob.status, 403)
  const enabled = await call(f, 'POST', '/api/v1/users/alice/totp', { browser: alice })
  assert.equal(enabled.status, 200, enabled.text)
  assert.ok(isValid(TotpEnrollment, enabled.json))
  assert.equal(new URL(enabled.json.uri).searchParams.get('secret'), enabled.json.secret)
  const secret = base32Decode(enabled.json.secret)
  const code = (ms: number): string => hotp(secret, totpStep(ms))

  const missing = await tryLogin(f, 'alice', PASSWORD)
  assert.equal(missing.status, 401)
  assert.equal(missing.json.error.code, 'HUB_ERR_TOTP_REQUIRED')
  const wrongCode = String((Number(code(clock.now())) + 1) % 1_000_000).padStart(6, '0')
  assert.equal((await tryLogin(f, 'alice', PASSWORD, wrongCode)).json.error.code, 'HUB_ERR_UNAUTHENTICATED')
  // No TOTP question before the password is right: a wrong password with no code is the plain refusal.
  assert.equal((await tryLogin(f, 'alice', 'wrong password')).json.error.code, 'HUB_ERR_UNAUTHENTICATED')
  const now = code(clock.now())
  await login(f, 'alice', PASSWORD, now)
  const reused = await tryLogin(f, 'alice', PASSWORD, now)
  assert.equal(reused.status, 401, 'a code works once')
  clock.advance(30_000)
  await login(f, 'alice', PASSWORD, code(clock.now()))

  const off = await call(f, 'DELETE', '/api/v1/users/alice/totp', { bearer: f.adminToken })
  assert.equal(off.json.totpEnabled, false)
  await login(f, 'alice')
  const denied = await auditOf(f, 'action=api.access&actor=user:alice')
  assert.equal(denied[0]?.result, 'denied')
})

test('a disabled user cannot log in, their sessions and their API tokens stop working', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-'))
  const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'hub.db') })
  const f = await startTestHub({ deps: { store } })
  t.after(async () => {
    await f.cleanup()
    await store.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  await createUser(f, 'alice', 'operator')
  const b = await login(f, 'alice')
  const aliceId = (await store.console.getUser('alice'))?.id ?? ''
  const secret = 'opa_token-of-alice-0123456789'
  await store.createApiToken({ id: 'tok-alice', name: 'alice-cli', tokenHash: sha256Hex(secret), role: 'operator', userId: aliceId, createdAt: Date.now() })
  assert.equal((await call(f, 'GET', '/api/v1/hosts', { browser: b })).status, 200)
  assert.equal((await call(f, 'GET', '/api/v1/hosts', { bearer: secret })).status, 200)

  const off = await call(f, 'PATCH', '/api/v1/users/alice', { bearer: f.adminToken, body: { disabled: true } })
  assert.equal(off.status, 200, off.text)
  assert.equal(off.json.disabled, true)
  assert.equal((await call(f, 'GET', '/api/v1/hosts', { browser: b })).status, 401)
  assert.equal((await call(f, 'GET', '/api/v1/hosts', { bearer: secret })).status, 401)
  const again = await tryLogin(f, 'alice', PASSWORD)
  assert.equal(again.status, 401)
  assert.deepEqual(again.json, (await tryLogin(f, 'nobody', PASSWORD)).json, 'disabled looks like any refusal')
  const update = await auditOf(f, 'action=user.update&target=user:alice')
  assert.deepEqual(update[0]?.detail, { changed: ['disabled'], disabled: true })
})

test('the first admin gets the configured e-mail; the last active admin cannot be disabled or demoted', async (t) => {
  const f = await startHub(t, { adminEmail: 'root@example.test' })
  assert.deepEqual(await f.hub.ensureAdminUser('a long admin password'), { created: true })
  const admin = await login(f, 'admin', 'a long admin password')
  const users = await call(f, 'GET', '/api/v1/users', { browser: admin })
  assert.equal(users.json[0]?.email, 'root@example.test')
  const demote = await call(f, 'PATCH', '/api/v1/users/admin', { browser: admin, body: { role: 'viewer' } })
  assert.equal(demote.status, 409)
  assert.equal(demote.json.error.code, 'HUB_ERR_CONFLICT')
  const dup = await call(f, 'POST', '/api/v1/users', { browser: admin, body: { name: 'admin', password: PASSWORD, role: 'viewer' } })
  assert.equal(dup.status, 409)
})
