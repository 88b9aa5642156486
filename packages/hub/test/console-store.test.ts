import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { backends, storeWithAgents } from './store-fixtures.ts'

const POLICY = { maxFailures: 3, windowMs: 1000, lockMs: 5000 }
const alice = { id: 'u1', name: 'alice', passwordHash: 'h1', role: 'operator' as const, createdAt: 10, email: 'alice@example.test', groups: ['web'] }

for (const b of backends) {
  describe(`Console store contract on ${b.kind}`, () => {
    test('users: console fields, updates, listing, active admins', async (t) => {
      const s = await storeWithAgents(t, b)
      await s.console.createUser(alice)
      await s.console.createUser({ ...alice, id: 'u2', name: 'bob', role: 'admin', email: null, groups: [] })
      await assert.rejects(s.console.createUser({ ...alice, id: 'u3' }), { code: 'HUB_ERR_STORE' })
      const a = await s.console.getUser('alice')
      assert.deepEqual(a, { ...alice, totpSecret: null, totpLastStep: null, disabled: false, failedLogins: 0, failedSince: null, lockedUntil: null })
      assert.deepEqual(await s.console.getUserById('u1'), a)
      assert.deepEqual(await s.findUserByName('alice'), { id: 'u1', name: 'alice', passwordHash: 'h1', role: 'operator', createdAt: 10 })
      assert.equal(await s.console.getUser('nobody'), undefined)
      assert.equal(await s.console.countActiveAdmins(), 1)
      const changed = await s.console.updateUser('alice', { role: 'admin', email: null, groups: ['db', 'web'], disabled: true, passwordHash: 'h2', totpSecret: 'ABC' })
      assert.deepEqual({ ...changed }, { ...a, role: 'admin', email: null, groups: ['db', 'web'], disabled: true, passwordHash: 'h2', totpSecret: 'ABC' })
      assert.equal(await s.console.countActiveAdmins(), 1, 'a disabled admin does not count')
      assert.equal(await s.console.updateUser('nobody', { disabled: true }), undefined)
      assert.deepEqual((await s.console.listUsers()).map((u) => u.name), ['alice', 'bob'])
    })

    test('login failures lock after the maximum within the window, and clear', async (t) => {
      const s = await storeWithAgents(t, b)
      await s.console.createUser(alice)
      assert.equal(await s.console.recordLoginFailure('u1', 100, POLICY), null)
      assert.equal(await s.console.recordLoginFailure('u1', 200, POLICY), null)
      // The window has passed since the first: the count starts again.
      assert.equal(await s.console.recordLoginFailure('u1', 1100, POLICY), null)
      assert.equal((await s.console.getUser('alice'))?.failedLogins, 1)
      await Promise.all([s.console.recordLoginFailure('u1', 1200, POLICY), s.console.recordLoginFailure('u1', 1300, POLICY)])
      const locked = await s.console.getUser('alice')
      // Whichever of the two concurrent failures counted third locked the user, from its own time.
      assert.ok([6200, 6300].includes(locked?.lockedUntil ?? 0), String(locked?.lockedUntil))
      assert.equal(locked?.failedLogins, 0)
      await s.console.clearLoginFailures('u1')
      assert.equal((await s.console.getUser('alice'))?.lockedUntil, null)
      assert.equal(await s.console.recordLoginFailure('nobody', 1, POLICY), null)
    })

    test('TOTP steps are claimed once, and never an older one; a new secret resets', async (t) => {
      const s = await storeWithAgents(t, b)
      await s.console.createUser(alice)
      assert.equal(await s.console.claimTotpStep('u1', 100), true)
      assert.equal(await s.console.claimTotpStep('u1', 100), false)
      assert.equal(await s.console.claimTotpStep('u1', 99), false)
      const raced = await Promise.all([s.console.claimTotpStep('u1', 101), s.console.claimTotpStep('u1', 101)])
      assert.deepEqual(raced.filter(Boolean).length, 1)
      await s.console.updateUser('alice', { totpSecret: 'NEW' })
      assert.equal(await s.console.claimTotpStep('u1', 50), true)
    })

    test('sessions: create, read with user, touch, viewing, live listing, sweeping, deletion', async (t) => {
      const s = await storeWithAgents(t, b)
      await s.console.createUser(alice)
      await s.console.createUser({ ...alice, id: 'u2', name: 'bob' })
      await s.console.createSession({ tokenHash: 'h-a', userId: 'u1', csrfToken: 'c-a', createdAt: 1000, expiresAt: 50_000 })
      await s.console.createSession({ tokenHash: 'h-b', userId: 'u2', csrfToken: 'c-b', createdAt: 2000, expiresAt: 50_000 })
      await s.console.createSession({ tokenHash: 'h-old', userId: 'u2', csrfToken: 'c', createdAt: 0, expiresAt: 3000 })
      const got = await s.console.getSession('h-a')
      assert.deepEqual(got?.session, { tokenHash: 'h-a', userId: 'u1', csrfToken: 'c-a', createdAt: 1000, expiresAt: 50_000, lastSeenAt: 1000, viewingHostId: null })
      assert.equal(got?.user.name, 'alice')
      assert.equal(await s.console.getSession('nope'), undefined)
      await s.console.touchSession('h-a', 4000)
      await s.console.touchSession('h-a', 3000)
      assert.equal((await s.console.getSession('h-a'))?.session.lastSeenAt, 4000, 'only forward')
      assert.equal(await s.console.setViewing('h-b', 'host-1', 4500), true)
      assert.equal(await s.console.setViewing('nope', 'host-1', 4500), false)
      const live = await s.console.listLiveSessions(5000, 10_000)
      assert.deepEqual(live.map((l) => [l.userName, l.tokenHash, l.viewingHostId, l.lastSeenAt]), [['alice', 'h-a', null, 4000], ['bob', 'h-b', 'host-1', 4500]])
      assert.deepEqual((await s.console.listLiveSessions(5000, 600)).map((l) => l.tokenHash), ['h-b'], 'idle ones are not live')
      await s.console.updateUser('bob', { disabled: true })
      assert.deepEqual((await s.console.listLiveSessions(5000, 10_000)).map((l) => l.tokenHash), ['h-a'], 'a disabled user is not present')
      assert.equal(await s.console.deleteDeadSessions(5000, 10_000), 1, 'the expired one')
      assert.equal(await s.console.deleteUserSessions('u2'), 1)
      assert.equal(await s.console.deleteSession('h-a'), true)
      assert.equal(await s.console.deleteSession('h-a'), false)
    })

    test('audit queries filter exactly, newest first, within the limit', async (t) => {
      const s = await storeWithAgents(t, b)
      for (let i = 0; i < 5; i++) {
        await s.appendAudit({ time: i, actor: i % 2 === 0 ? 'user:alice' : 'user:bob', action: i < 3 ? 'session.login' : 'user.update', target: `t${i}`, result: 'ok', detail: { i } })
      }
      assert.deepEqual((await s.console.queryAudit({ limit: 10 })).map((r) => r.target), ['t4', 't3', 't2', 't1', 't0'])
      assert.deepEqual((await s.console.queryAudit({ limit: 10, actor: 'user:alice' })).map((r) => r.target), ['t4', 't2', 't0'])
      assert.deepEqual((await s.console.queryAudit({ limit: 10, actor: 'user:alice', action: 'session.login' })).map((r) => r.target), ['t2', 't0'])
      assert.deepEqual((await s.console.queryAudit({ limit: 2, target: 't1' })).map((r) => r.detail), [{ i: 1 }])
      assert.equal((await s.console.queryAudit({ limit: 2 })).length, 2)
      assert.deepEqual(await s.console.queryAudit({ limit: 10, actor: "x' or '1'='1" }), [])
    })
  })
}
