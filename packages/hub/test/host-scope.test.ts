// Host-group scoping on every host-bearing route: a user with groups ['web'] sees and acts on
// web hosts only; a db host answers exactly like a missing one (404, audited as a denial) and
// nothing changes; a user without groups and the admin API token (no user) see both groups.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import type { Answer } from '@outpost/testkit'
import { alertHub, type AlertHub } from './support/alerts-fixture.ts'
import { call, createUser, login, openEvents, type Browser } from './support/console-fixture.ts'

interface Scoped {
  readonly h: AlertHub
  readonly web: string
  readonly db: string
  /** Operator with groups ['web']. */
  readonly webop: Browser
  /** Operator without groups: sees every host. */
  readonly allop: Browser
}

/** A hub with one firing memory alert on a `web` host and one on a `db` host, and two logged-in operators. */
async function scopedHub (t: TestContext): Promise<Scoped> {
  const h = await alertHub(t)
  const web = await h.agent('web-1', 'web')
  const db = await h.agent('db-1', 'db')
  for (const a of [web, db]) assert.equal((await h.report(a, 1, [{ name: 'mem.used_pct', value: 99 }])).status, 200)
  for (const a of [web, db]) await h.waitAlert(x => x.hostId === a.agentId && x.state === 'firing')
  await createUser(h.f, 'webop', 'operator', { groups: ['web'] })
  await createUser(h.f, 'allop', 'operator')
  return { h, web: web.agentId, db: db.agentId, webop: await login(h.f, 'webop'), allop: await login(h.f, 'allop') }
}

const as = (s: Scoped, b: Browser, method: string, p: string, body?: unknown): Promise<Answer> =>
  call(s.h.f, method, `/api/v1${p}`, { browser: b, ...(body === undefined ? {} : { body }) })

/** Out of scope must look exactly like missing: same status, same envelope. */
function sameAsMissing (outOfScope: Answer, missing: Answer): void {
  assert.equal(outOfScope.status, 404, outOfScope.text)
  assert.equal(outOfScope.json.error.code, 'HUB_ERR_NOT_FOUND')
  assert.deepEqual({ status: outOfScope.status, body: outOfScope.json }, { status: missing.status, body: missing.json })
}

async function denials (s: Scoped, target: string): Promise<Array<Record<string, any>>> {
  const res = await s.h.api(`/audit?action=api.access&target=${encodeURIComponent(target)}`)
  return (res.json as Array<Record<string, any>>).filter(e => e.result === 'denied' && e.detail.reason === 'host-scope')
}

test('hosts: the list is filtered; detail and metrics of an out-of-scope host are 404 like a missing host, and audited', async (t) => {
  const s = await scopedHub(t)
  const names = async (b: Browser) => ((await as(s, b, 'GET', '/hosts')).json as Array<{ name: string }>).map(x => x.name).sort()
  assert.deepEqual(await names(s.webop), ['web-1'])
  assert.deepEqual(await names(s.allop), ['db-1', 'web-1'])
  assert.deepEqual(((await s.h.api('/hosts')).json as Array<{ name: string }>).map(x => x.name).sort(), ['db-1', 'web-1'], 'an API token without a user sees every host')

  assert.equal((await as(s, s.webop, 'GET', `/hosts/${s.web}`)).json.name, 'web-1')
  assert.equal((await as(s, s.allop, 'GET', `/hosts/${s.db}`)).json.name, 'db-1')
  sameAsMissing(await as(s, s.webop, 'GET', `/hosts/${s.db}`), await as(s, s.webop, 'GET', '/hosts/nosuchhost000'))

  const q = '/metrics?name=mem.used_pct&from=0'
  assert.equal((await as(s, s.webop, 'GET', `/hosts/${s.web}${q}`)).json.points.length, 1)
  assert.equal((await as(s, s.allop, 'GET', `/hosts/${s.db}${q}`)).json.points.length, 1)
  sameAsMissing(await as(s, s.webop, 'GET', `/hosts/${s.db}${q}`), await as(s, s.webop, 'GET', `/hosts/nosuchhost000${q}`))

  const denied = await denials(s, `host:${s.db}`)
  assert.deepEqual(denied.map(e => [e.actor, e.detail.route]).sort(), [['user:webop', 'GET /api/v1/hosts/:id'], ['user:webop', 'GET /api/v1/hosts/:id/metrics']])
})

test('commands: none is queued for an out-of-scope host, and one of such a host cannot be read', async (t) => {
  const s = await scopedHub(t)
  const ok = await as(s, s.webop, 'POST', `/hosts/${s.web}/commands`, { type: 'report-now' })
  assert.equal(ok.status, 201, ok.text)
  assert.equal((await as(s, s.webop, 'GET', `/commands/${ok.json.id}`)).json.status, 'queued')

  sameAsMissing(await as(s, s.webop, 'POST', `/hosts/${s.db}/commands`, { type: 'report-now' }), await as(s, s.webop, 'POST', '/hosts/nosuchhost000/commands', { type: 'report-now' }))
  const created = ((await s.h.api(`/audit?action=command.create&target=host:${s.db}`)).json as Array<{ result: string }>)
  assert.deepEqual(created, [], 'nothing was queued for the db host')
  assert.equal((await denials(s, `host:${s.db}`)).length, 1)

  const dbCommand = await s.h.api(`/hosts/${s.db}/commands`, { method: 'POST', body: { type: 'report-now' } })
  assert.equal(dbCommand.status, 201)
  const missing = await as(s, s.webop, 'GET', '/commands/nosuchcommand000')
  sameAsMissing(await as(s, s.webop, 'GET', `/commands/${dbCommand.json.id}`), missing)
  sameAsMissing(await as(s, s.webop, 'GET', `/commands/${dbCommand.json.id}?wait=1000`), missing)
  assert.equal((await as(s, s.allop, 'GET', `/commands/${dbCommand.json.id}`)).json.status, 'queued')
  assert.equal((await denials(s, `command:${dbCommand.json.id}`)).length, 2)
})

test('alerts: the list is filtered, and acknowledging an out-of-scope alert is 404 and changes nothing', async (t) => {
  const s = await scopedHub(t)
  const hostsOf = async (b: Browser, q = '') => ((await as(s, b, 'GET', `/alerts${q}`)).json as Array<{ hostName: string }>).map(a => a.hostName).sort()
  assert.deepEqual(await hostsOf(s.webop), ['web-1'])
  assert.deepEqual(await hostsOf(s.webop, `?hostId=${s.db}`), [], 'naming the host does not widen the scope')
  assert.deepEqual(await hostsOf(s.allop), ['db-1', 'web-1'])

  const all = (await s.h.api('/alerts')).json as Array<{ id: string, hostId: string }>
  const dbAlert = all.find(a => a.hostId === s.db)?.id ?? ''
  const webAlert = all.find(a => a.hostId === s.web)?.id ?? ''
  sameAsMissing(await as(s, s.webop, 'POST', `/alerts/${dbAlert}/ack`, {}), await as(s, s.webop, 'POST', '/alerts/nosuchalert000/ack', {}))
  assert.equal(((await s.h.api(`/alerts?hostId=${s.db}`)).json as Array<{ state: string }>)[0]?.state, 'firing', 'the db alert is still firing')
  assert.equal((await denials(s, `alert:${dbAlert}`)).length, 1)

  assert.equal((await as(s, s.webop, 'POST', `/alerts/${webAlert}/ack`, {})).json.state, 'acknowledged')
  assert.equal((await as(s, s.allop, 'POST', `/alerts/${dbAlert}/ack`, {})).json.state, 'acknowledged')
})

test('silences: made and listed only within scope; `all` needs a user without group restriction', async (t) => {
  const s = await scopedHub(t)
  const window = { startsAt: new Date(s.h.now()).toISOString(), endsAt: new Date(s.h.now() + 3600_000).toISOString(), reason: 'maintenance' }
  const silence = (b: Browser, scope: unknown) => as(s, b, 'POST', '/silences', { scope, ...window })
  const count = async () => ((await s.h.api('/silences')).json as unknown[]).length

  sameAsMissing(await silence(s.webop, { type: 'host', hostId: s.db }), await silence(s.webop, { type: 'host', hostId: 'nosuchhost000' }))
  for (const scope of [{ type: 'group', group: 'db' }, { type: 'all' }]) {
    const refused = await silence(s.webop, scope)
    assert.equal(refused.status, 403, refused.text)
    assert.equal(refused.json.error.code, 'HUB_ERR_FORBIDDEN')
  }
  assert.equal(await count(), 0, 'nothing was created')
  assert.equal((await denials(s, 'group:db')).length, 1)

  assert.equal((await silence(s.webop, { type: 'host', hostId: s.web })).status, 201)
  assert.equal((await silence(s.webop, { type: 'group', group: 'web' })).status, 201)
  const dbGroup = await silence(s.allop, { type: 'group', group: 'db' })
  assert.equal(dbGroup.status, 201)
  assert.equal((await silence(s.allop, { type: 'host', hostId: s.db })).status, 201)
  assert.equal((await silence(s.allop, { type: 'all' })).status, 201)

  const scopes = async (b: Browser) => ((await as(s, b, 'GET', '/silences')).json as Array<{ scope: { type: string, group?: string, hostId?: string } }>)
    .map(x => x.scope.type === 'host' ? `host:${x.scope.hostId === s.web ? 'web' : 'db'}` : x.scope.type === 'group' ? `group:${x.scope.group}` : 'all').sort()
  assert.deepEqual(await scopes(s.webop), ['all', 'group:web', 'host:web'])
  assert.deepEqual(await scopes(s.allop), ['all', 'group:db', 'group:web', 'host:db', 'host:web'])

  sameAsMissing(await as(s, s.webop, 'DELETE', `/silences/${dbGroup.json.id}`), await as(s, s.webop, 'DELETE', '/silences/nosuchsilence0'))
  assert.equal(await count(), 5, 'the db silence is still there')
})

test('presence: the host another user has open is hidden when out of scope, over GET and the event stream', async (t) => {
  const s = await scopedHub(t)
  sameAsMissing(await as(s, s.webop, 'POST', '/presence/viewing', { hostId: s.db }), await as(s, s.webop, 'POST', '/presence/viewing', { hostId: 'nosuchhost000' }))
  const events = await openEvents(t, s.h.f, { browser: s.webop })
  assert.equal(events.status, 200)
  assert.equal((await as(s, s.allop, 'POST', '/presence/viewing', { hostId: s.db })).status, 204)
  const viewing = async (b: Browser) => ((await as(s, b, 'GET', '/presence')).json as Array<{ user: string, viewingHostId: string | null }>).find(e => e.user === 'allop')?.viewingHostId
  assert.equal(await viewing(s.allop), s.db)
  assert.equal(await viewing(s.webop), null)
  const pushed = await events.next(e => e.event === 'presence' && e.data.presence.some((p: { user: string }) => p.user === 'allop'), 'presence with allop')
  assert.equal(pushed.data.presence.find((p: { user: string }) => p.user === 'allop').viewingHostId, null)

  assert.equal((await as(s, s.allop, 'POST', '/presence/viewing', { hostId: s.web })).status, 204)
  assert.equal(await viewing(s.webop), s.web)
})

test('live events: a restricted stream gets alerts of its hosts only, in order', async (t) => {
  const s = await scopedHub(t)
  const events = await openEvents(t, s.h.f, { browser: s.webop })
  const all = (await s.h.api('/alerts')).json as Array<{ id: string, hostId: string }>
  // Acknowledge the db alert first, then the web one: the first alert event webop gets must be web's.
  for (const hostId of [s.db, s.web]) {
    const id = all.find(a => a.hostId === hostId)?.id ?? ''
    assert.equal((await as(s, s.allop, 'POST', `/alerts/${id}/ack`, {})).status, 200)
  }
  const first = await events.next(e => e.event === 'alert', 'an alert event')
  assert.equal(first.data.alert.hostId, s.web)
  assert.equal(first.data.alert.state, 'acknowledged')
})
