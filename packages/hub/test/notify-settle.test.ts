// `notify()` tells when a notification settled: the alert outbox keeps its row until then.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startSmtpSink } from '@outpost/testkit'
import type { DeliveryEvent } from '../src/notify/notify-events.ts'
import { alert, makeNotifier, once } from './support/notify-fixture.ts'

const FROM = 'outpost@hub.example.test'

async function deadRelay (): Promise<string> {
  const gone = await startSmtpSink()
  await gone.cleanup()
  return `smtp://127.0.0.1:${gone.port}`
}

test('a notification settles once the mails carrying it are accepted, grouped ones included', { timeout: 15_000 }, async (t) => {
  const s = await startSmtpSink()
  t.after(() => s.cleanup())
  const { notifier } = makeNotifier(t, { smtp: { url: s.url, from: FROM, tlsInsecure: false }, groupWindowMs: 50 })
  const critical = await notifier.notify({ kind: 'firing', alert: alert(), emails: ['ops@example.test'], webhooks: [] })
  assert.equal(critical, 'settled')
  assert.equal(s.messages.length, 1, 'settled after the relay accepted the mail')

  const order: string[] = []
  const w1 = notifier.notify({ kind: 'firing', alert: alert({ id: 'w1', severity: 'warning' }), emails: ['ops@example.test', 'not an address'], webhooks: [] })
  const w2 = notifier.notify({ kind: 'firing', alert: alert({ id: 'w2', severity: 'warning' }), emails: ['ops@example.test', 'dev@example.test'], webhooks: [] })
  notifier.events.on('delivered', (e) => order.push(`delivered ${e.target}`))
  void w1.then(() => order.push('w1'))
  void w2.then(() => order.push('w2'))
  assert.deepEqual(await Promise.all([w1, w2]), ['settled', 'settled'])
  assert.equal(s.messages.length, 3, 'one grouped mail to ops, one to dev')
  assert.ok(order.indexOf('w1') > order.indexOf('delivered ops@example.test'), 'w1 waited for the grouped mail')
  assert.ok(order.indexOf('w2') > Math.max(order.indexOf('delivered ops@example.test'), order.indexOf('delivered dev@example.test')), 'w2 waited for both its mails')
})

test('a notification given up after its last attempt settles; one cut short by close() is released', { timeout: 15_000 }, async (t) => {
  const relay = await deadRelay()
  const { notifier } = makeNotifier(t, { smtp: { url: relay, from: FROM, tlsInsecure: false }, retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 } })
  const failed: DeliveryEvent[] = []
  notifier.events.on('failed', (e) => failed.push(e))
  assert.equal(await notifier.notify({ kind: 'firing', alert: alert(), emails: ['ops@example.test'], webhooks: [] }), 'settled')
  assert.deepEqual(failed.map(e => e.attempts), [2], 'settled only after the last attempt')

  const slow = makeNotifier(t, { smtp: { url: relay, from: FROM, tlsInsecure: false }, retry: { maxAttempts: 30, baseMs: 60_000, maxMs: 60_000 } })
  const retried = once(slow.notifier.events, 'retry')
  const pending = slow.notifier.notify({ kind: 'firing', alert: alert({ id: 'a2' }), emails: ['ops@example.test'], webhooks: [] })
  await retried
  let outcome: string | undefined
  void pending.then((o) => { outcome = o })
  await slow.notifier.close()
  assert.equal(await pending, 'released', 'attempts were left: not given up, only not sent here')
  assert.equal(outcome, 'released')
  assert.equal(await slow.notifier.notify({ kind: 'firing', alert: alert({ id: 'a3' }), emails: ['ops@example.test'], webhooks: [] }), 'released', 'refused by a closed notifier: to be sent again later')
})

test('refused for good settles at once; refused for lack of room is released', { timeout: 15_000 }, async (t) => {
  const { notifier } = makeNotifier(t)
  assert.equal(await notifier.notify({ kind: 'firing', alert: alert(), emails: ['ops@example.test'], webhooks: ['ftp://example.test/x'] }), 'settled', 'no relay, bad URL: nothing will ever take it')
  assert.equal(await notifier.notify({ kind: 'firing', alert: alert(), emails: [], webhooks: [] }), 'settled', 'nobody to notify')

  const s = await startSmtpSink()
  t.after(() => s.cleanup())
  const full = makeNotifier(t, { smtp: { url: s.url, from: FROM, tlsInsecure: false }, limits: { maxPending: 1 }, groupWindowMs: 60_000 })
  const first = full.notifier.notify({ kind: 'firing', alert: alert({ id: 'w1', severity: 'warning' }), emails: ['a@example.test'], webhooks: [] })
  assert.equal(await full.notifier.notify({ kind: 'firing', alert: alert({ id: 'w2', severity: 'warning' }), emails: ['b@example.test'], webhooks: [] }), 'released')
  await full.notifier.close()
  assert.equal(await first, 'settled', 'the grouped mail went out at close')
  assert.equal(s.messages.length, 1)
})
