// The alert store's contract, on SQLite and on PostgreSQL: the same suite for both.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { AlertRecord, AlertRuleRecord, PendingNotification } from '../src/store/alert-store.ts'
import { backends, open, report, storeWithAgents } from './store-fixtures.ts'

const rule = (id: string, over: Partial<AlertRuleRecord> = {}): AlertRuleRecord => ({
  id, name: `rule ${id}`, enabled: true, severity: 'critical', scope: { type: 'all' },
  condition: { type: 'metric-threshold', metric: 'fs.used_pct[*]', op: '>=', value: 90, forMs: 0 },
  notify: { emails: ['ops@example.test'], webhooks: [] }, repeatIntervalMs: 0, createdAt: 10, updatedAt: 10, ...over
})
const alert = (id: string, ruleId: string, hostId: string, over: Partial<AlertRecord> = {}): AlertRecord => ({
  id, ruleId, ruleName: `rule ${ruleId}`, hostId, hostName: `host-${hostId}`, severity: 'critical', state: 'firing', summary: 'x = 1',
  metric: 'x', value: 1, startedAt: 100, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, lastNotifiedAt: 100, ...over
})
const note = (id: string, alertId: string, createdAt = 100): PendingNotification => ({ id, alertId, payload: { kind: 'firing', n: id }, createdAt })

for (const b of backends) {
  describe(`Alert store contract on ${b.kind}`, () => {
    test('rules: create, create-if-absent, update, delete, JSON round trip', async (t) => {
      const s = (await storeWithAgents(t, b)).alerts
      const r = rule('r1', { scope: { type: 'group', group: 'web' }, condition: { type: 'metric-threshold', metric: 'load.5m', op: '>', value: 2, forMs: 300_000, perCore: true } })
      assert.equal(await s.createRule(r), true)
      assert.equal(await s.createRule({ ...r, name: 'other' }, true), false, 'an existing id is left alone')
      await assert.rejects(s.createRule(r), { code: 'HUB_ERR_STORE' })
      assert.deepEqual(await s.getRule('r1'), r)
      assert.equal(await s.updateRule({ ...r, name: 'renamed', enabled: false, updatedAt: 20 }), true)
      assert.deepEqual(await s.listRules(), [{ ...r, name: 'renamed', enabled: false, updatedAt: 20 }])
      assert.equal(await s.updateRule(rule('nope')), false)
      assert.equal(await s.deleteRule('r1'), true)
      assert.equal(await s.deleteRule('r1'), false)
      assert.deepEqual(await s.listRules(), [])
    })

    test('one open alert per (rule, host), also when two stores race; a new one after it resolves', async (t) => {
      const where = await b.location(t)
      const s1 = await open(t, where)
      // SQLite: one store per file and process (a second connection in the same process would
      // wait on the first synchronously); concurrency there comes through the one connection.
      const s2 = b.kind === 'postgres' ? await open(t, where) : s1
      const raced = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? s1 : s2).alerts.openAlert(alert(`a${i}`, 'r1', 'h1'), note(`n${i}`, `a${i}`))))
      const opened = raced.filter(a => a !== undefined)
      assert.equal(opened.length, 1)
      const winner = opened[0]!
      assert.deepEqual((await s1.alerts.listAlerts({ state: 'open', limit: 10 })).map(a => a.id), [winner.id])
      const claimed = await s1.alerts.claimNotifications(200, 0, 100)
      assert.deepEqual(claimed.map(n => n.alertId), [winner.id], 'only the winner wrote its notification')
      assert.notEqual(await s1.alerts.openAlert(alert('other-host', 'r1', 'h2'), null), undefined, 'another host is another alert')

      const resolved = await s2.alerts.transitionAlert({ id: winner.id, to: 'resolved', at: 300 }, null)
      assert.equal(resolved?.state, 'resolved')
      assert.equal(resolved?.resolvedAt, 300)
      assert.equal(await s1.alerts.transitionAlert({ id: winner.id, to: 'resolved', at: 301 }, null), undefined, 'resolved once')
      assert.notEqual(await s1.alerts.openAlert(alert('again', 'r1', 'h1', { startedAt: 400 }), null), undefined)
      assert.deepEqual((await s1.alerts.listAlerts({ hostId: 'h1', limit: 10 })).map(a => a.id), ['again', winner.id], 'newest first')
      assert.deepEqual((await s1.alerts.listAlerts({ state: 'resolved', limit: 10 })).map(a => a.id), [winner.id])
    })

    test('acknowledge only a firing alert; an acknowledged one still resolves; by-operator resolution records who', async (t) => {
      const s = (await storeWithAgents(t, b)).alerts
      await s.openAlert(alert('a1', 'r1', 'h1'), null)
      const acked = await s.transitionAlert({ id: 'a1', to: 'acknowledged', at: 150, by: 'token:alice' }, null)
      assert.deepEqual([acked?.state, acked?.acknowledgedAt, acked?.acknowledgedBy], ['acknowledged', 150, 'token:alice'])
      assert.equal(await s.transitionAlert({ id: 'a1', to: 'acknowledged', at: 160, by: 'token:bob' }, null), undefined)
      const done = await s.transitionAlert({ id: 'a1', to: 'resolved', at: 170, by: 'token:bob', summary: 'gone' }, note('n1', 'a1'))
      assert.deepEqual([done?.state, done?.acknowledgedBy, done?.acknowledgedAt, done?.summary], ['resolved', 'token:alice', 150, 'gone'])
      await s.openAlert(alert('a2', 'r2', 'h1'), null)
      const byOp = await s.transitionAlert({ id: 'a2', to: 'resolved', at: 180, by: 'token:bob' }, null)
      assert.deepEqual([byOp?.acknowledgedBy, byOp?.acknowledgedAt], ['token:bob', 180])
      assert.equal(await s.transitionAlert({ id: 'missing', to: 'resolved', at: 1 }, null), undefined)
    })

    test('repeats: compare-and-set on lastNotifiedAt, only while firing, with the notification', async (t) => {
      const s = (await storeWithAgents(t, b)).alerts
      await s.openAlert(alert('a1', 'r1', 'h1'), null)
      assert.equal(await s.markRepeated('a1', 100, 500, note('n1', 'a1')), true)
      assert.equal(await s.markRepeated('a1', 100, 500, note('n2', 'a1')), false, 'a second replica loses')
      assert.equal((await s.getAlert('a1'))?.lastNotifiedAt, 500)
      await s.transitionAlert({ id: 'a1', to: 'acknowledged', at: 600, by: 'x' }, null)
      assert.equal(await s.markRepeated('a1', 500, 900, note('n3', 'a1')), false, 'no repeats once acknowledged')
      assert.deepEqual((await s.claimNotifications(1000, 0, 10)).map(n => n.id), ['n1'])
    })

    test('outbox: claimed once, reclaimed after the lease, oldest first, payload round trip', async (t) => {
      const s = (await storeWithAgents(t, b)).alerts
      await s.openAlert(alert('a1', 'r1', 'h1'), note('n2', 'a1', 200))
      await s.openAlert(alert('a2', 'r2', 'h1'), note('n1', 'a2', 100))
      const first = await s.claimNotifications(1000, 0, 1)
      assert.deepEqual(first.map(n => [n.id, n.payload]), [['n1', { kind: 'firing', n: 'n1' }]])
      assert.deepEqual((await s.claimNotifications(1001, 0, 10)).map(n => n.id), ['n2'])
      assert.deepEqual(await s.claimNotifications(1002, 0, 10), [], 'nothing is claimed twice within the lease')
      assert.deepEqual((await s.claimNotifications(5000, 1500, 10)).map(n => n.id), ['n1', 'n2'], 'a dead replica\'s claims come back')
      await s.deleteNotification('n1')
      assert.deepEqual((await s.claimNotifications(9000, 8000, 10)).map(n => n.id), ['n2'])
    })

    test('outbox: a renewed lease is not taken as stale; a released claim is taken at once; unknown ids are ignored', async (t) => {
      const s = (await storeWithAgents(t, b)).alerts
      await s.openAlert(alert('a1', 'r1', 'h1'), note('n1', 'a1', 100))
      await s.openAlert(alert('a2', 'r2', 'h1'), note('n2', 'a2', 200))
      await s.openAlert(alert('a3', 'r3', 'h1'), note('n3', 'a3', 300))
      assert.deepEqual((await s.claimNotifications(1000, 0, 2)).map(n => n.id), ['n1', 'n2'])
      assert.equal(await s.renewNotificationLeases(['n1', 'n3', 'gone'], 50_000), 1, 'only claimed rows are renewed (n3 is unclaimed)')
      assert.equal(await s.renewNotificationLeases([], 50_000), 0)
      assert.deepEqual((await s.claimNotifications(70_000, 10_000, 10)).map(n => n.id), ['n2', 'n3'], 'n1\'s renewed lease still holds; n2\'s lapsed')
      assert.equal(await s.releaseNotifications(['n1', 'n2', 'gone']), 2)
      assert.deepEqual((await s.claimNotifications(70_001, 0, 10)).map(n => n.id), ['n1', 'n2'], 'released claims are taken without waiting for the lease')
      const many = Array.from({ length: 1200 }, (_, i) => `x${i}`).concat('n3')
      assert.equal(await s.renewNotificationLeases(many, 80_000), 1, 'long id lists are split')
      assert.deepEqual(await s.claimNotifications(90_000, 70_000, 10), [], 'all three held: n1, n2 claimed at 70 001, n3 renewed at 80 000')
    })

    test('open counts by host and severity; silences; silent hosts', async (t) => {
      const store = await storeWithAgents(t, b, ['h1', 'h2', 'h3'])
      const s = store.alerts
      await s.openAlert(alert('a1', 'r1', 'h1'), null)
      await s.openAlert(alert('a2', 'r2', 'h1', { severity: 'warning' }), null)
      await s.openAlert(alert('a3', 'r3', 'h1', { severity: 'warning' }), null)
      await s.openAlert(alert('a4', 'r1', 'h2', { severity: 'info' }), null)
      await s.transitionAlert({ id: 'a4', to: 'acknowledged', at: 1, by: 'x' }, null)
      await s.openAlert(alert('a5', 'r2', 'h2'), null)
      await s.transitionAlert({ id: 'a5', to: 'resolved', at: 1 }, null)
      assert.deepEqual(Object.fromEntries(await s.openCounts()), { h1: { critical: 1, warning: 2, info: 0 }, h2: { critical: 0, warning: 0, info: 1 } })
      assert.deepEqual(Object.fromEntries(await s.openCounts('h2')), { h2: { critical: 0, warning: 0, info: 1 } })

      const sil = { id: 's1', scope: { type: 'host' as const, hostId: 'h1' }, ruleId: 'r1', startsAt: 1000, endsAt: 2000, reason: 'patching', createdBy: 'token:a', createdAt: 5 }
      await s.createSilence(sil)
      await s.createSilence({ ...sil, id: 's2', scope: { type: 'all' }, ruleId: null, startsAt: 500, endsAt: 900 })
      assert.deepEqual((await s.listSilences()).map(x => x.id), ['s2', 's1'])
      assert.deepEqual(await s.listSilences(900), [sil], 'ended ones are left out')
      assert.equal(await s.deleteSilence('s1'), true)
      assert.equal(await s.deleteSilence('s1'), false)

      await store.ingestReports([report('h1', 1, 1000), report('h2', 1, 5000)])
      assert.deepEqual(await s.silentHosts(3000), [{ id: 'h1', lastSeen: 1001 }], 'h3 never reported: not silent, unknown')
    })
  })
}
