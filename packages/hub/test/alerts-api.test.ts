// The alert API: roles, validation, default rules on first start, and the audit of every change.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startHub, api } from '@outpost/testkit'
import { openStore } from '@outpost/hub'

const RULE = {
  name: 'disk', enabled: true, severity: 'critical', scope: { type: 'all' },
  condition: { type: 'metric-threshold', metric: 'fs.used_pct[*]', op: '>=', value: 90, forMs: 0 },
  notify: { emails: ['ops@example.test'], webhooks: ['https://hooks.example.test/outpost'] }, repeatIntervalMs: 0
}

test('default rules are created once across restarts and notify the admin address', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-'))
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }))
  const first = await startHub({ dataDir, config: { adminEmail: 'admin@example.test' } })
  const rules = (await api(first.url, first.adminToken, '/alert-rules')).json as Array<{ id: string, notify: { emails: string[] }, condition: Record<string, unknown>, severity: string }>
  assert.deepEqual(rules.map(r => r.id).sort(), ['default-filesystem-full', 'default-host-offline', 'default-load-high', 'default-memory-full', 'default-relay-unreachable'])
  for (const r of rules) assert.deepEqual(r.notify.emails, ['admin@example.test'])
  const load = rules.find(r => r.id === 'default-load-high')
  assert.deepEqual(load?.condition, { type: 'metric-threshold', metric: 'load.5m', op: '>', value: 2, perCore: true, forMs: 300_000 })
  assert.equal(load?.severity, 'warning')
  assert.equal((await api(first.url, first.adminToken, '/alert-rules/default-memory-full', { method: 'DELETE' })).status, 204)
  await first.cleanup()

  const second = await startHub({ dataDir, config: { adminEmail: 'admin@example.test' } })
  t.after(() => second.cleanup())
  const again = (await api(second.url, second.adminToken, '/alert-rules')).json as Array<{ id: string }>
  assert.deepEqual(again.map(r => r.id).sort(), ['default-filesystem-full', 'default-host-offline', 'default-load-high', 'default-relay-unreachable'], 'not duplicated, and a deleted default stays deleted')
})

test('roles: viewers read, operators acknowledge and silence, only admins change rules; every change is audited', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-'))
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }))
  const f = await startHub({ dataDir })
  let closed = false
  t.after(async () => { if (!closed) await f.cleanup() })
  const viewer = await f.hub.createApiToken({ name: 'v', role: 'viewer' })
  const operator = await f.hub.createApiToken({ name: 'o', role: 'operator' })
  const now = Date.now()
  const silence = { scope: { type: 'all' }, startsAt: new Date(now).toISOString(), endsAt: new Date(now + 60_000).toISOString(), reason: 'deploy' }

  for (const token of [viewer, operator]) {
    assert.equal((await api(f.url, token, '/alert-rules')).status, 200)
    assert.equal((await api(f.url, token, '/alert-rules', { method: 'POST', body: RULE })).status, 403)
    assert.equal((await api(f.url, token, '/alert-rules/default-host-offline', { method: 'PUT', body: RULE })).status, 403)
    assert.equal((await api(f.url, token, '/alert-rules/default-host-offline', { method: 'DELETE' })).status, 403)
  }
  assert.equal((await api(f.url, null, '/alerts')).status, 401)
  assert.equal((await api(f.url, viewer, '/alerts?state=open')).status, 200)
  assert.equal((await api(f.url, viewer, '/alerts/abcdefgh/ack', { method: 'POST', body: {} })).status, 403)
  assert.equal((await api(f.url, operator, '/alerts/abcdefgh/ack', { method: 'POST', body: {} })).status, 404)
  assert.equal((await api(f.url, viewer, '/silences', { method: 'POST', body: silence })).status, 403)
  const created = await api(f.url, operator, '/silences', { method: 'POST', body: silence })
  assert.equal(created.status, 201)
  assert.equal(created.json.createdBy, 'token:o')
  assert.equal((await api(f.url, viewer, '/silences')).json.length, 1)
  assert.equal((await api(f.url, viewer, `/silences/${created.json.id}`, { method: 'DELETE' })).status, 403)
  assert.equal((await api(f.url, operator, `/silences/${created.json.id}`, { method: 'DELETE' })).status, 204)

  const rule = await api(f.url, f.adminToken, '/alert-rules', { method: 'POST', body: RULE })
  assert.equal(rule.status, 201)
  const put = await api(f.url, f.adminToken, `/alert-rules/${rule.json.id}`, { method: 'PUT', body: { ...RULE, name: 'disk (renamed)', enabled: false } })
  assert.deepEqual([put.status, put.json.name, put.json.enabled, put.json.createdAt], [200, 'disk (renamed)', false, rule.json.createdAt])
  assert.equal((await api(f.url, f.adminToken, `/alert-rules/${rule.json.id}`, { method: 'DELETE' })).status, 204)
  assert.equal((await api(f.url, f.adminToken, `/alert-rules/${rule.json.id}`, { method: 'DELETE' })).status, 404)
  await f.cleanup()
  closed = true

  const store = await openStore({ kind: 'sqlite', file: path.join(dataDir, 'outpost.sqlite') })
  t.after(() => store.close())
  const audit = (await store.listAudit(200)).map(e => `${e.actor} ${e.action} ${e.result}`)
  for (const want of [
    'token:o silence.create ok', 'token:o silence.delete ok', 'token:test-admin alert-rule.create ok', 'token:test-admin alert-rule.update ok',
    'token:test-admin alert-rule.delete ok', 'token:test-admin alert-rule.delete HUB_ERR_NOT_FOUND', 'token:o alert.ack HUB_ERR_NOT_FOUND',
    'token:v api.access denied'
  ]) assert.ok(audit.includes(want), `audited: ${want}`)
})

test('hostile or inconsistent input is refused with 400 and changes nothing', async (t) => {
  const f = await startHub()
  t.after(() => f.cleanup())
  const post = (body: unknown) => api(f.url, f.adminToken, '/alert-rules', { method: 'POST', body })
  const bad: unknown[] = [
    { ...RULE, extra: true },
    { ...RULE, condition: { ...RULE.condition, metric: 'fs.used_pct[*]; drop table alerts' } },
    { ...RULE, condition: { ...RULE.condition, op: '==' } },
    { ...RULE, condition: { type: 'host-offline', missedIntervals: 0 } },
    { ...RULE, notify: { emails: ['not an address'], webhooks: [] } },
    { ...RULE, notify: { emails: [], webhooks: ['javascript:alert(1)'] } },
    { ...RULE, notify: { emails: [], webhooks: ['http://[not-a-host'] } },
    { ...RULE, severity: 'fatal' },
    { ...RULE, scope: { type: 'host', hostId: '../../etc' } }
  ]
  for (const body of bad) assert.equal((await post(body)).status, 400, JSON.stringify(body))
  assert.equal((await api(f.url, f.adminToken, '/alert-rules')).json.length, 5, 'only the defaults')
  const now = Date.now()
  const iso = (ms: number): string => new Date(ms).toISOString()
  for (const body of [
    { scope: { type: 'all' }, startsAt: iso(now + 10_000), endsAt: iso(now), reason: 'backwards' },
    { scope: { type: 'all' }, startsAt: iso(now - 20_000), endsAt: iso(now - 10_000), reason: 'already over' },
    { scope: { type: 'all' }, startsAt: 'yesterday', endsAt: iso(now + 10_000), reason: 'not a time' }
  ]) assert.equal((await api(f.url, f.adminToken, '/silences', { method: 'POST', body })).status, 400, body.reason)
  assert.equal((await api(f.url, f.adminToken, '/alerts?limit=abc')).status, 400)
  assert.equal((await api(f.url, f.adminToken, '/alerts?hostId=x%27%20or%201=1')).status, 400)
  assert.equal((await api(f.url, f.adminToken, '/silences')).json.length, 0)
})
