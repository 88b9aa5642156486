import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isValid, LiveEvent, PresenceList } from '@outpost/protocol'
import { MemoryBus } from '../src/bus/memory-bus.ts'
import { BusSubject } from '../src/bus/bus.ts'
import { SESSION_IDLE_MS, SESSION_TTL_MS } from '../src/auth/session-service.ts'
import { MAX_STREAMS_PER_USER } from '../src/console/live-streams.ts'
import { startHub, enrollAgent } from './support/hub-fixture.ts'
import { call, createUser, login, openEvents, testClock } from './support/console-fixture.ts'

test('CSRF: a cookie request that changes state needs the session token in x-csrf-token; bearer requests do not', async (t) => {
  const f = await startHub(t)
  await createUser(f, 'alice', 'admin')
  const b = await login(f, 'alice')
  const body = { name: 'carol', password: 'a long enough password', role: 'viewer' }
  for (const csrf of [null, 'wrong-token', b.csrf.slice(0, -1) + (b.csrf.endsWith('A') ? 'B' : 'A')]) {
    const res = await call(f, 'POST', '/api/v1/users', { browser: b, csrf, body })
    assert.equal(res.status, 403, `csrf ${String(csrf)}`)
    assert.equal(res.json.error.code, 'HUB_ERR_CSRF')
  }
  const users = await call(f, 'GET', '/api/v1/users', { browser: b, csrf: null })
  assert.equal(users.status, 200, 'a GET needs no token')
  assert.equal(users.json.some((u: { name: string }) => u.name === 'carol'), false, 'nothing was created')
  const denied = (await call(f, 'GET', '/api/v1/audit?action=api.access', { browser: b })).json
  assert.equal(denied[0]?.detail.reason, 'csrf')

  assert.equal((await call(f, 'POST', '/api/v1/users', { browser: b, body })).status, 201)
  assert.equal((await call(f, 'POST', '/api/v1/users', { bearer: f.adminToken, body: { ...body, name: 'dave' } })).status, 201, 'bearer without CSRF')
  // A logout is state-changing too.
  assert.equal((await call(f, 'DELETE', '/api/v1/session', { browser: b, csrf: null })).status, 403)
})

test('logout ends the session and clears the cookie; a forged or malformed cookie is 401', async (t) => {
  const f = await startHub(t)
  await createUser(f, 'alice', 'viewer')
  const b = await login(f, 'alice')
  const out = await call(f, 'DELETE', '/api/v1/session', { browser: b })
  assert.equal(out.status, 204)
  assert.match(out.headers['set-cookie']?.[0] ?? '', /^outpost_session=; Path=\/; Max-Age=0; HttpOnly; Secure; SameSite=Strict$/)
  assert.equal((await call(f, 'GET', '/api/v1/session', { browser: b })).status, 401)
  assert.equal((await call(f, 'GET', '/api/v1/hosts', { browser: b })).status, 401)
  for (const cookie of ['outpost_session=' + 'A'.repeat(43), 'outpost_session=../../etc', 'outpost_session=']) {
    assert.equal((await call(f, 'GET', '/api/v1/hosts', { browser: { cookie, csrf: '', login: b.login } })).status, 401, cookie)
  }
  const audit = (await call(f, 'GET', '/api/v1/audit?action=session.logout', { bearer: f.adminToken })).json
  assert.equal(audit[0]?.actor, 'user:alice')
  assert.equal((await call(f, 'GET', '/api/v1/session', { bearer: f.adminToken })).status, 401, 'a bearer token has no console session')
})

test('sessions end after 30 idle minutes, and after 12 hours whatever the activity', async (t) => {
  const clock = testClock()
  const f = await startHub(t, {}, { now: clock.now })
  await createUser(f, 'alice', 'viewer')
  const idle = await login(f, 'alice')
  clock.advance(SESSION_IDLE_MS - 1000)
  assert.equal((await call(f, 'GET', '/api/v1/hosts', { browser: idle })).status, 200, 'just within the idle time')
  clock.advance(SESSION_IDLE_MS - 1000)
  assert.equal((await call(f, 'GET', '/api/v1/hosts', { browser: idle })).status, 200, 'the last request restarted the idle time')
  clock.advance(SESSION_IDLE_MS)
  assert.equal((await call(f, 'GET', '/api/v1/hosts', { browser: idle })).status, 401, 'idle too long')

  const busy = await login(f, 'alice')
  for (let spent = 0; spent < SESSION_TTL_MS - SESSION_IDLE_MS; spent += SESSION_IDLE_MS / 2) {
    clock.advance(SESSION_IDLE_MS / 2)
    assert.equal((await call(f, 'GET', '/api/v1/hosts', { browser: busy })).status, 200)
  }
  clock.advance(SESSION_IDLE_MS)
  assert.equal((await call(f, 'GET', '/api/v1/hosts', { browser: busy })).status, 401, 'past 12 hours')
})

test('roles on every route: a viewer cannot queue commands, an operator cannot manage users or read the audit log; denials are audited', async (t) => {
  const f = await startHub(t)
  const agent = await enrollAgent(f)
  await createUser(f, 'vic', 'viewer')
  await createUser(f, 'otto', 'operator')
  const vic = await login(f, 'vic')
  const otto = await login(f, 'otto')
  const cmd = await call(f, 'POST', `/api/v1/hosts/${agent.agentId}/commands`, { browser: vic, body: { type: 'report-now' } })
  assert.equal(cmd.status, 403)
  assert.equal(cmd.json.error.code, 'HUB_ERR_FORBIDDEN')
  assert.equal((await call(f, 'POST', `/api/v1/hosts/${agent.agentId}/commands`, { browser: otto, body: { type: 'report-now' } })).status, 201)
  for (const [method, path, body] of [['GET', '/api/v1/users'], ['POST', '/api/v1/users', { name: 'x1', password: 'a long enough password', role: 'admin' }], ['PATCH', '/api/v1/users/vic', { role: 'admin' }], ['GET', '/api/v1/audit']] as const) {
    const res = await call(f, method, path, { browser: otto, body })
    assert.equal(res.status, 403, `${method} ${path}`)
  }
  assert.equal((await call(f, 'GET', '/api/v1/users/vic', { browser: otto })).status, 404)
  const denials = (await call(f, 'GET', '/api/v1/audit?action=api.access&result=denied', { bearer: f.adminToken })).status
  assert.equal(denials, 400, 'unknown audit filters are refused')
  const audit = (await call(f, 'GET', '/api/v1/audit?action=api.access', { bearer: f.adminToken })).json as Array<Record<string, any>>
  assert.deepEqual(audit.map((e) => [e.actor, e.target, e.result]).slice(0, 5), [
    ['user:otto', 'GET /api/v1/audit', 'denied'], ['user:otto', 'PATCH /api/v1/users/:name', 'denied'], ['user:otto', 'POST /api/v1/users', 'denied'],
    ['user:otto', 'GET /api/v1/users', 'denied'], ['user:vic', 'POST /api/v1/hosts/:id/commands', 'denied']
  ])
  assert.equal((await call(f, 'PATCH', '/api/v1/users/vic', { browser: otto, body: { role: 'admin' } })).json.error.code, 'HUB_ERR_FORBIDDEN')
})

test('presence lists the logged-in operators and the host each has open; the event stream delivers presence and host events', async (t) => {
  const bus = new MemoryBus()
  t.after(() => bus.close())
  const f = await startHub(t, {}, { bus })
  const agent = await enrollAgent(f)
  await createUser(f, 'alice', 'operator')
  await createUser(f, 'bob', 'viewer', { groups: ['db'] })
  const alice = await login(f, 'alice')
  const events = await openEvents(t, f, { browser: alice })
  assert.equal(events.status, 200)
  assert.equal(events.headers['content-type'], 'text/event-stream; charset=utf-8')
  assert.match(String(events.headers['content-security-policy']), /default-src 'self'/)
  const first = await events.next((e) => e.event === 'presence', 'initial presence')
  assert.deepEqual(first.data.presence.map((p: { user: string }) => p.user), ['alice'])

  const bob = await login(f, 'bob')
  const both = await events.next((e) => e.event === 'presence' && e.data.presence.length === 2, 'presence with bob')
  assert.ok(isValid(LiveEvent, both.data))
  assert.equal((await call(f, 'POST', '/api/v1/presence/viewing', { browser: alice, body: { hostId: agent.agentId } })).status, 204)
  const viewing = await events.next((e) => e.event === 'presence' && e.data.presence.some((p: { viewingHostId: unknown }) => p.viewingHostId === agent.agentId), 'alice viewing')
  assert.deepEqual(viewing.data.presence.map((p: { user: string, viewingHostId: string | null }) => [p.user, p.viewingHostId]), [['alice', agent.agentId], ['bob', null]])
  const list = await call(f, 'GET', '/api/v1/presence', { browser: bob })
  assert.ok(isValid(PresenceList, list.json))
  // bob's groups do not include alice's host: he sees that she is here, not which host she has open.
  assert.deepEqual(list.json.map((p: { user: string, viewingHostId: string | null }) => [p.user, p.viewingHostId]), [['alice', null], ['bob', null]])
  const aliceList = await call(f, 'GET', '/api/v1/presence', { browser: alice })
  assert.deepEqual(aliceList.json.map((p: { user: string, viewingHostId: string | null }) => [p.user, p.viewingHostId]), [['alice', agent.agentId], ['bob', null]])
  assert.equal((await call(f, 'POST', '/api/v1/presence/viewing', { browser: bob, body: { hostId: agent.agentId } })).status, 404, 'bob may not see group default')
  assert.equal((await call(f, 'POST', '/api/v1/presence/viewing', { bearer: f.adminToken, body: { hostId: null } })).status, 401, 'no session, no presence')

  // A host summary as the hub itself lists it (whatever fields it has), marked by name.
  const listed = (await call(f, 'GET', '/api/v1/hosts', { bearer: f.adminToken })).json[0]
  const host = { ...listed, name: 'published-by-test' }
  const bobEvents = await openEvents(t, f, { browser: bob })
  await bobEvents.next((e) => e.event === 'presence', 'bob stream open')
  bus.publish(BusSubject.live, { type: 'not-an-event' })
  bus.publish(BusSubject.live, { type: 'host', host })
  const got = await events.next((e) => e.event === 'host' && e.data.host.name === 'published-by-test', 'host event')
  assert.deepEqual(got.data, { type: 'host', host })
  // bob's groups do not include the host's: his stream skips it, but still gets what follows.
  bus.publish(BusSubject.live, { type: 'host', host: { ...host, group: 'db' } })
  const bobHost = await bobEvents.next((e) => e.event === 'host' && e.data.host.name === 'published-by-test', 'host event for bob')
  assert.equal(bobHost.data.host.group, 'db')

  await call(f, 'DELETE', '/api/v1/session', { browser: bob })
  await bobEvents.ended
  const gone = await events.next((e) => e.event === 'presence' && e.data.presence.length === 1, 'bob logged out')
  assert.equal(gone.data.presence[0].user, 'alice')
})

test('event streams: bounded per user, need authentication, and end when the hub closes', async (t) => {
  const f = await startHub(t)
  await createUser(f, 'alice', 'viewer')
  const alice = await login(f, 'alice')
  const unauth = await openEvents(t, f, {})
  assert.equal(unauth.status, 401)
  const open = []
  for (let i = 0; i < MAX_STREAMS_PER_USER; i++) open.push(await openEvents(t, f, { browser: alice }))
  assert.ok(open.every((s) => s.status === 200))
  const extra = await openEvents(t, f, { browser: alice })
  assert.equal(extra.status, 429)
  assert.ok(Number(extra.headers['retry-after']) > 0)
  const other = await openEvents(t, f, { bearer: f.adminToken })
  assert.equal(other.status, 200, 'the limit is per user')
  await f.hub.close()
  await Promise.all([...open, other].map((s) => s.ended))
})
