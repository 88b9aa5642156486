import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MemoryOutbox } from '../src/notify/delivery-outbox.ts'
import type { DeliveryEvent, RefusedEvent } from '../src/notify/notify-events.ts'
import { checkWebhookUrl, SIGNATURE_HEADER, DELIVERY_HEADER } from '../src/notify/webhook-transport.ts'
import { alert, makeNotifier, once, startReceiver, PUBLIC_URL } from './support/notify-fixture.ts'

const SECRET = 'a-webhook-secret-of-some-length'

/** What a receiver does: recompute the HMAC over the raw body and compare in constant time. */
function verifies (body: string, header: string | string[] | undefined, secret = SECRET): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false
  const want = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'))
  const got = Buffer.from(header.slice('sha256='.length))
  return got.length === want.length && timingSafeEqual(got, want)
}

test('a webhook gets a signed JSON POST naming the event, the alert and the hub', { timeout: 15_000 }, async (t) => {
  const r = await startReceiver(t)
  const { notifier } = makeNotifier(t, { webhookSecret: SECRET })
  const delivered = once(notifier.events, 'delivered')
  notifier.notify({ kind: 'firing', alert: alert(), emails: [], webhooks: [r.url] })
  await delivered
  const hook = r.hooks[0]
  assert.ok(hook !== undefined)
  assert.equal(hook.headers['content-type'], 'application/json')
  assert.ok(verifies(hook.body, hook.headers[SIGNATURE_HEADER]))
  assert.ok(!verifies(hook.body.replace('web-1', 'web-2'), hook.headers[SIGNATURE_HEADER]), 'a changed body does not verify')
  assert.ok(!verifies(hook.body, hook.headers[SIGNATURE_HEADER], 'another-secret-entirely'), 'another key does not verify')
  const body = JSON.parse(hook.body) as Record<string, unknown>
  assert.equal(body.type, 'alert.firing')
  assert.equal(body.hub, PUBLIC_URL)
  assert.deepEqual(body.alert, alert())
  assert.ok(typeof body.sentAt === 'string' && !Number.isNaN(Date.parse(body.sentAt)))
  assert.equal(typeof hook.headers[DELIVERY_HEADER], 'string')
})

test('without a secret the POST carries no signature; repeat and resolved have their own types', { timeout: 15_000 }, async (t) => {
  const r = await startReceiver(t)
  const { notifier } = makeNotifier(t)
  notifier.notify({ kind: 'repeat', alert: alert(), emails: [], webhooks: [r.url] })
  notifier.notify({ kind: 'resolved', alert: alert({ state: 'resolved', resolvedAt: '2026-11-21T11:00:00.000Z' }), emails: [], webhooks: [r.url] })
  await r.next(2)
  assert.deepEqual(r.hooks.map(h => (JSON.parse(h.body) as { type: string }).type).sort(), ['alert.repeat', 'alert.resolved'])
  assert.ok(r.hooks.every(h => h.headers[SIGNATURE_HEADER] === undefined))
})

test('a webhook answering 500 is retried with the same delivery id until it accepts; the outbox holds it meanwhile', { timeout: 15_000 }, async (t) => {
  const r = await startReceiver(t, n => (n < 2 ? 500 : 204))
  const outbox = new MemoryOutbox()
  const { notifier } = makeNotifier(t, { webhookSecret: SECRET, outbox })
  const retry = once(notifier.events, 'retry')
  const delivered = once(notifier.events, 'delivered')
  notifier.notify({ kind: 'firing', alert: alert(), emails: [], webhooks: [r.url] })
  const first = await retry
  assert.match(first.error?.message ?? '', /HTTP 500/)
  const kept = outbox.load()
  assert.equal(kept.length, 1)
  assert.equal(kept[0]?.attempts, 1)
  assert.equal(kept[0]?.lastError, 'webhook answered HTTP 500')
  assert.equal((await delivered).attempts, 3)
  assert.equal(r.hooks.length, 3)
  assert.equal(new Set(r.hooks.map(h => h.headers[DELIVERY_HEADER])).size, 1)
  assert.ok(r.hooks.every(h => verifies(h.body, h.headers[SIGNATURE_HEADER])))
  assert.equal(outbox.size, 0, 'delivered: forgotten')
})

test('a 4xx answer or a redirect is not retried; the redirect is not followed', { timeout: 15_000 }, async (t) => {
  for (const status of [404, 302]) {
    const r = await startReceiver(t, () => status)
    const { notifier, logs } = makeNotifier(t)
    const failed = once(notifier.events, 'failed')
    notifier.notify({ kind: 'firing', alert: alert(), emails: [], webhooks: [`${r.url}?token=s3cret`] })
    const ev = await failed
    assert.equal(ev.attempts, 1)
    assert.match(ev.error?.message ?? '', new RegExp(`HTTP ${status}`))
    assert.equal(r.hooks.length, 1)
    const line = logs.lines.find(l => l.level === 50)
    assert.equal(line?.target, new URL(r.url).origin, 'logs name the origin only: paths and queries may hold tokens')
    assert.ok(!JSON.stringify(logs.lines).includes('s3cret'))
  }
})

test('a receiver that does not answer times out and is retried, boundedly', { timeout: 15_000 }, async (t) => {
  const server = createServer(() => { /* never answers: the hub's timeout must end the attempt */ })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const { port } = server.address() as AddressInfo
  const { notifier } = makeNotifier(t, { webhookTimeoutMs: 100, retry: { maxAttempts: 2, baseMs: 5, maxMs: 5 } })
  const failed = once(notifier.events, 'failed')
  notifier.notify({ kind: 'firing', alert: alert(), emails: [], webhooks: [`http://127.0.0.1:${port}/hook`] })
  const ev = await failed
  assert.equal(ev.attempts, 2)
  assert.match(ev.error?.message ?? '', /no answer within 100 ms/)
})

test('non-http(s) webhook URLs are refused, by the notifier and by checkWebhookUrl', { timeout: 15_000 }, async (t) => {
  const { notifier } = makeNotifier(t)
  const refused: RefusedEvent[] = []
  notifier.events.on('refused', e => refused.push(e))
  const bad = ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://127.0.0.1/x', 'gopher://127.0.0.1:25/_HELO', 'not a url']
  notifier.notify({ kind: 'firing', alert: alert(), emails: [], webhooks: bad })
  assert.equal(refused.length, bad.length)
  assert.equal(notifier.stats.pending, 0)
  assert.equal(notifier.stats.refused, bad.length)
  for (const url of bad) assert.throws(() => checkWebhookUrl(url), { code: 'HUB_ERR_BAD_REQUEST' })
  assert.equal(checkWebhookUrl('https://hooks.example.test/x').protocol, 'https:')
})

test('close() sends what is due and refuses what comes after', { timeout: 15_000 }, async (t) => {
  const r = await startReceiver(t)
  const { notifier } = makeNotifier(t)
  notifier.notify({ kind: 'firing', alert: alert(), emails: [], webhooks: [r.url] })
  await notifier.close()
  assert.equal(r.hooks.length, 1)
  const refused = once(notifier.events, 'refused')
  notifier.notify({ kind: 'firing', alert: alert({ id: 'late' }), emails: [], webhooks: [r.url] })
  assert.equal((await refused).reason, 'the notifier is closed')
})

test('when attempts are short, a critical alert goes before warnings queued ahead of it', { timeout: 15_000 }, async (t) => {
  const r = await startReceiver(t)
  const { notifier } = makeNotifier(t, { limits: { maxInFlight: 1 } })
  for (const [id, severity] of [['w1', 'warning'], ['w2', 'info'], ['c1', 'critical']] as const) {
    notifier.notify({ kind: 'firing', alert: alert({ id, severity }), emails: [], webhooks: [r.url] })
  }
  await r.next(3)
  assert.deepEqual(r.hooks.map(h => (JSON.parse(h.body) as { alert: { id: string } }).alert.id), ['c1', 'w1', 'w2'])
})
