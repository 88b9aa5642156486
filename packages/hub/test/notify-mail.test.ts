import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startSmtpSink, type SmtpSink } from '@outpost/testkit'
import { validate, Alert as AlertSchema } from '@outpost/protocol'
import type { DeliveryEvent } from '../src/notify/notify-events.ts'
import { alert, makeNotifier, once, PUBLIC_URL } from './support/notify-fixture.ts'

const FROM = 'outpost@hub.example.test'
const THRESHOLD = { type: 'metric-threshold', metric: 'fs.used_pct[*]', op: '>=', value: 90, forMs: 0 } as const

async function sink (t: { after: (fn: () => Promise<void>) => void }, options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(options)
  t.after(() => s.cleanup())
  return s
}

const hrefs = (html: string): string[] => [...html.matchAll(/href="([^"]*)"/g)].map(m => m[1] ?? '')

test('the alert fixture is a valid protocol Alert', () => {
  assert.equal(validate(AlertSchema, alert()).id, 'a1')
})

test('a critical alert is mailed at once to each recipient: server, time, fault type, detail and the host page link', { timeout: 15_000 }, async (t) => {
  const s = await sink(t)
  const { notifier } = makeNotifier(t, { smtp: { url: s.url, from: FROM, tlsInsecure: false } })
  const delivered: DeliveryEvent[] = []
  const both = new Promise<void>((resolve) => notifier.events.on('delivered', (e) => { if (delivered.push(e) === 2) resolve() }))
  notifier.notify({ kind: 'firing', alert: alert(), emails: ['ops@example.test', 'oncall@example.test'], webhooks: [], condition: THRESHOLD })
  const [ops, oncall] = await Promise.all([
    s.waitForMessage(m => m.text?.includes('web-1') === true && s.envelopes[s.messages.indexOf(m)]?.to[0] === 'ops@example.test'),
    s.waitForMessage(m => m.text?.includes('web-1') === true && s.envelopes[s.messages.indexOf(m)]?.to[0] === 'oncall@example.test')
  ])
  assert.equal(s.messages.length, 2)
  for (const env of s.envelopes) assert.equal(env.to.length, 1, 'one mail per recipient: they do not see each other')
  assert.ok(ops !== undefined && oncall !== undefined)
  assert.equal(ops.subject, '[CRITICAL] web-1: fs.used_pct[/var] = 93.1 (≥ 90)')
  assert.equal(ops.from?.value[0]?.address, FROM)
  assert.equal(ops.headers.get('auto-submitted'), 'auto-generated')
  const text = ops.text ?? ''
  for (const want of ['web-1', '2026-11-21T10:00:00.000Z', 'Sat, 21 Nov 2026 10:00:00 GMT', 'Metric threshold (fs.used_pct[*] >= 90)', 'fs.used_pct[/var] = 93.1 (≥ 90)', `${PUBLIC_URL}/hosts/h1`]) {
    assert.ok(text.includes(want), `text part names ${want}`)
  }
  const html = typeof ops.html === 'string' ? ops.html : ''
  assert.deepEqual(hrefs(html), [`${PUBLIC_URL}/hosts/h1`, `${PUBLIC_URL}/alerts?focus=a1`])
  await both
  assert.deepEqual(delivered.map(e => e.target).sort(), ['oncall@example.test', 'ops@example.test'])
  assert.equal(notifier.stats.delivered, 2)
})

test('warning and info alerts to one recipient are grouped into one mail; a critical one is not held back', { timeout: 15_000 }, async (t) => {
  const s = await sink(t)
  const { notifier } = makeNotifier(t, { smtp: { url: s.url, from: FROM, tlsInsecure: false }, groupWindowMs: 60_000 })
  const to = ['ops@example.test']
  const delivered = once(notifier.events, 'delivered')
  notifier.notify({ kind: 'firing', alert: alert({ id: 'w1', severity: 'warning', summary: 'load.1m = 9 (≥ 8)' }), emails: to, webhooks: [] })
  notifier.notify({ kind: 'firing', alert: alert({ id: 'w2', severity: 'info', hostId: 'h2', hostName: 'db-2', summary: 'swap.used_pct = 40 (≥ 30)' }), emails: ['OPS@example.test'], webhooks: [] })
  notifier.notify({ kind: 'resolved', alert: alert({ id: 'w3', severity: 'warning', state: 'resolved', resolvedAt: '2026-11-21T10:05:00.000Z', summary: 'net.errors = 0' }), emails: to, webhooks: [] })
  notifier.notify({ kind: 'firing', alert: alert({ id: 'c1' }), emails: to, webhooks: [] })
  assert.deepEqual((await delivered).alertIds, ['c1'])
  const critical = await s.waitForMessage(m => m.subject?.startsWith('[CRITICAL] web-1') === true)
  assert.ok(critical.text?.includes('fs.used_pct[/var]'))
  assert.equal(s.messages.length, 1, 'the grouped warnings are still held')
  assert.equal(notifier.stats.pending, 1, 'one mail gathers all three')
  await notifier.close() // sends what is pending, group windows included
  assert.equal(s.messages.length, 2)
  const group = s.messages[1]
  assert.equal(group?.subject, '[WARNING] 3 alerts: web-1, db-2')
  for (const want of ['load.1m = 9 (≥ 8)', 'swap.used_pct = 40 (≥ 30)', 'Resolved on web-1', '2026-11-21T10:05:00.000Z', `${PUBLIC_URL}/hosts/h2`]) {
    assert.ok(group?.text?.includes(want), `grouped mail lists ${want}`)
  }
})

test('a group is sent by itself when its window ends', { timeout: 15_000 }, async (t) => {
  const s = await sink(t)
  const { notifier } = makeNotifier(t, { smtp: { url: s.url, from: FROM, tlsInsecure: false }, groupWindowMs: 20 })
  for (const id of ['w1', 'w2']) notifier.notify({ kind: 'firing', alert: alert({ id, severity: 'warning' }), emails: ['ops@example.test'], webhooks: [] })
  const mail = await s.waitForMessage(m => m.subject?.includes('2 alerts') === true)
  assert.equal(s.messages.length, 1)
  assert.deepEqual(hrefs(typeof mail.html === 'string' ? mail.html : '').filter(h => h.includes('focus=')), [`${PUBLIC_URL}/alerts?focus=w1`, `${PUBLIC_URL}/alerts?focus=w2`])
})

test('a resolved notice says so and names when the fault ended', { timeout: 15_000 }, async (t) => {
  const s = await sink(t)
  const { notifier } = makeNotifier(t, { smtp: { url: s.url, from: FROM, tlsInsecure: false } })
  notifier.notify({ kind: 'resolved', alert: alert({ state: 'resolved', resolvedAt: '2026-11-21T10:30:00.000Z' }), emails: ['ops@example.test'], webhooks: [] })
  const mail = await s.waitForMessage(() => true)
  assert.equal(mail.subject, '[RESOLVED] web-1: fs.used_pct[/var] = 93.1 (≥ 90)')
  assert.match(mail.text ?? '', /Resolved:\s+2026-11-21T10:30:00\.000Z \(Sat, 21 Nov 2026 10:30:00 GMT\)/)
})

test('a hostile host name is escaped in HTML and cannot add headers or recipients', { timeout: 15_000 }, async (t) => {
  const s = await sink(t)
  const { notifier } = makeNotifier(t, { smtp: { url: s.url, from: FROM, tlsInsecure: false } })
  const hostName = '<script>alert(1)</script>\r\nBcc: victim@example.test'
  const summary = 'x = 1 <img src=https://evil.example/p.png onerror=alert(2)> "quoted" & \'single\''
  notifier.notify({ kind: 'firing', alert: alert({ hostName, summary }), emails: ['ops@example.test'], webhooks: [] })
  const mail = await s.waitForMessage(() => true)
  const html = typeof mail.html === 'string' ? mail.html : ''
  assert.ok(!/<script|<img|<[^>]*\s(src|onerror)=/i.test(html), 'no markup from the agent survives')
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'))
  assert.ok(html.includes('&lt;img src=https://evil.example/p.png onerror=alert(2)&gt; &quot;quoted&quot; &amp; &#39;single&#39;'))
  assert.ok(!/[\r\n]/.test(mail.subject ?? ''))
  assert.equal(mail.bcc, undefined)
  assert.deepEqual(s.envelopes[0]?.to, ['ops@example.test'])
})

test('SMTP AUTH uses the credentials of the URL; refused credentials are given up at once and logged once', { timeout: 15_000 }, async (t) => {
  const s = await sink(t, { auth: { user: 'mailer', pass: 'p@ss:word/1' } })
  const { notifier } = makeNotifier(t, { smtp: { url: s.url, from: FROM, tlsInsecure: false } })
  notifier.notify({ kind: 'firing', alert: alert(), emails: ['ops@example.test'], webhooks: [] })
  await s.waitForMessage(() => true)
  assert.equal(s.envelopes[0]?.user, 'mailer')

  const bad = makeNotifier(t, { smtp: { url: s.url.replace('p%40ss', 'nope'), from: FROM, tlsInsecure: false } })
  const failed = once(bad.notifier.events, 'failed')
  bad.notifier.notify({ kind: 'firing', alert: alert({ id: 'a2' }), emails: ['ops@example.test'], webhooks: [] })
  const ev = await failed
  assert.equal(ev.attempts, 1, 'a 5xx answer is not retried')
  assert.equal(ev.error !== undefined && 'code' in ev.error ? ev.error.code : null, 'HUB_ERR_NOTIFY_FAILED')
  const errors = bad.logs.lines.filter(l => l.level === 50)
  assert.equal(errors.length, 1)
  assert.equal(errors[0]?.target, 'ops@example.test')
  assert.deepEqual(errors[0]?.alertIds, ['a2'])
  assert.equal(s.messages.length, 1)
})

test('an unreachable relay is retried with back-off and the mail delivered when it comes back', { timeout: 15_000 }, async (t) => {
  const first = await startSmtpSink()
  const port = first.port
  await first.cleanup()
  const { notifier, logs } = makeNotifier(t, { smtp: { url: `smtp://127.0.0.1:${port}`, from: FROM, tlsInsecure: false }, retry: { maxAttempts: 30, baseMs: 10, maxMs: 100 } })
  const retry = once(notifier.events, 'retry')
  const delivered = once(notifier.events, 'delivered')
  notifier.notify({ kind: 'firing', alert: alert(), emails: ['ops@example.test'], webhooks: [] })
  const r = await retry
  assert.ok(r.error?.message.includes('ECONNREFUSED'), r.error?.message)
  const back = await sink(t, { port })
  const d = await delivered
  assert.ok(d.attempts >= 2)
  assert.equal(back.messages.length, 1)
  assert.ok(logs.lines.some(l => l.msg === 'notification delivered after retries'))
  assert.ok(notifier.stats.retried >= 1)
})

test('retries are bounded: a relay that never comes back is given up after maxAttempts', { timeout: 15_000 }, async (t) => {
  const gone = await startSmtpSink()
  await gone.cleanup()
  const { notifier, logs } = makeNotifier(t, { smtp: { url: `smtp://127.0.0.1:${gone.port}`, from: FROM, tlsInsecure: false }, retry: { maxAttempts: 3, baseMs: 5, maxMs: 10 } })
  const failed = once(notifier.events, 'failed')
  notifier.notify({ kind: 'firing', alert: alert(), emails: ['ops@example.test'], webhooks: [] })
  assert.equal((await failed).attempts, 3)
  assert.deepEqual({ retried: notifier.stats.retried, failed: notifier.stats.failed, pending: notifier.stats.pending }, { retried: 2, failed: 1, pending: 0 })
  assert.equal(logs.lines.filter(l => l.level === 50).length, 1, 'logged once, at the end')
})

test('TLS: a self-signed relay is refused unless tlsInsecure; smtps and STARTTLS both encrypt', { timeout: 20_000 }, async (t) => {
  const implicit = await sink(t, { tls: true })
  const strict = makeNotifier(t, { smtp: { url: implicit.url, from: FROM, tlsInsecure: false }, retry: { maxAttempts: 1, baseMs: 5, maxMs: 5 } })
  const refused = once(strict.notifier.events, 'failed')
  strict.notifier.notify({ kind: 'firing', alert: alert(), emails: ['ops@example.test'], webhooks: [] })
  assert.match((await refused).error?.message ?? '', /certificate/i)
  assert.equal(implicit.messages.length, 0)

  const insecure = makeNotifier(t, { smtp: { url: implicit.url, from: FROM, tlsInsecure: true } })
  insecure.notifier.notify({ kind: 'firing', alert: alert(), emails: ['ops@example.test'], webhooks: [] })
  await implicit.waitForMessage(() => true)
  assert.equal(implicit.envelopes[0]?.secure, true)

  const starttls = await sink(t, { tls: 'starttls' })
  assert.ok(starttls.url.startsWith('smtp://'))
  const upgraded = makeNotifier(t, { smtp: { url: starttls.url, from: FROM, tlsInsecure: true } })
  upgraded.notifier.notify({ kind: 'firing', alert: alert(), emails: ['ops@example.test'], webhooks: [] })
  await starttls.waitForMessage(() => true)
  assert.equal(starttls.envelopes[0]?.secure, true, 'STARTTLS was used because the relay offered it')
})

test('bad addresses, a missing relay and a full queue are refused without throwing at the caller', { timeout: 15_000 }, async (t) => {
  const s = await sink(t)
  const { notifier } = makeNotifier(t, { smtp: { url: s.url, from: FROM, tlsInsecure: false }, limits: { maxPending: 2 } })
  const reasons: string[] = []
  notifier.events.on('refused', e => reasons.push(e.reason))
  notifier.notify({ kind: 'firing', alert: alert({ severity: 'warning' }), emails: ['a@example.test', 'b@example.test', 'c@example.test', 'x@y.z\r\nRCPT TO:<victim@example.test>'], webhooks: [] })
  assert.deepEqual(reasons, ['2 notifications already pending', 'not a mail address'])
  await notifier.close()
  assert.deepEqual(s.envelopes.map(e => e.to[0]).sort(), ['a@example.test', 'b@example.test'])

  const { notifier: noRelay, logs } = makeNotifier(t)
  for (const id of ['n1', 'n2']) noRelay.notify({ kind: 'firing', alert: alert({ id }), emails: ['ops@example.test'], webhooks: [] })
  assert.equal(noRelay.stats.refused, 2)
  assert.equal(logs.lines.filter(l => l.level === 40).length, 1, 'the missing relay is said once')
})
