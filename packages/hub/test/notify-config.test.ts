import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startSmtpSink } from '@outpost/testkit'
import { parseHubConfig, DEFAULT_NOTIFY_GROUP_WINDOW_MS, DEFAULT_WEBHOOK_TIMEOUT_MS } from '@outpost/hub'
import { smtpOptions } from '../src/notify/mail-transport.ts'
import { backoffMs } from '../src/notify/retry-policy.ts'
import { startHub } from './support/hub-fixture.ts'

test('config.notify has named defaults and refuses bad values', () => {
  const c = parseHubConfig({ dataDir: '/tmp/x' })
  assert.deepEqual(c.notify, { smtp: null, groupWindowMs: DEFAULT_NOTIFY_GROUP_WINDOW_MS, webhookSecret: null, webhookTimeoutMs: DEFAULT_WEBHOOK_TIMEOUT_MS })
  assert.equal(c.adminEmail, null)
  assert.ok(Object.isFrozen(c.notify))
  const smtp = { url: 'smtp://127.0.0.1:25', from: 'o@example.test', tlsInsecure: false }
  assert.equal(parseHubConfig({ dataDir: '/tmp/x', notify: { smtp, groupWindowMs: 5 } }).notify.groupWindowMs, 5)
  for (const notify of [
    { smtp: { ...smtp, url: 'http://127.0.0.1' } },
    { smtp: { ...smtp, from: 'not an address' } },
    { smtp: { ...smtp, extra: 1 } },
    { webhookSecret: 'short' },
    { groupWindowMs: -1 }
  ]) {
    assert.throws(() => parseHubConfig({ dataDir: '/tmp/x', notify: notify as never }), { code: 'HUB_ERR_CONFIG' }, JSON.stringify(notify))
  }
  assert.throws(() => parseHubConfig({ dataDir: '/tmp/x', adminEmail: 'root' }), { code: 'HUB_ERR_CONFIG' })
})

test('SMTP URLs: ports, implicit TLS, decoded credentials, verification on unless tlsInsecure; paths refused', () => {
  const plain = smtpOptions({ url: 'smtp://relay.example.test', from: 'o@example.test', tlsInsecure: false })
  assert.deepEqual([plain.port, plain.secure, plain.auth, plain.tls?.rejectUnauthorized, plain.pool], [587, false, undefined, true, true])
  const tls = smtpOptions({ url: 'smtps://us%40er:p%3Ass@[::1]', from: 'o@example.test', tlsInsecure: true })
  assert.deepEqual([tls.host, tls.port, tls.secure, tls.auth, tls.tls?.rejectUnauthorized], ['::1', 465, true, { user: 'us@er', pass: 'p:ss' }, false])
  assert.throws(() => smtpOptions({ url: 'smtp://relay/path?x=1', from: 'o@example.test', tlsInsecure: false }), { code: 'HUB_ERR_CONFIG' })
})

test('back-off doubles, stays within its bounds and jitters', () => {
  const p = { maxAttempts: 8, baseMs: 1000, maxMs: 10_000 }
  assert.deepEqual([1, 2, 3, 4, 5].map(a => backoffMs(a, p, () => 0.5)), [1000, 2000, 4000, 8000, 10_000])
  assert.equal(backoffMs(1, p, () => 0), 800)
  assert.equal(backoffMs(1, p, () => 1), 1200)
  assert.equal(backoffMs(200, p, () => 0.5), 10_000)
})

test('the hub builds its notifier from config.notify at start: a bad relay URL fails the start with HUB_ERR_CONFIG', { timeout: 30_000 }, async (t) => {
  await assert.rejects(startHub(t, { notify: { smtp: { url: 'smtp://relay.example.test/some/path', from: 'outpost@example.test', tlsInsecure: false } } }), { code: 'HUB_ERR_CONFIG' })
  const sink = await startSmtpSink()
  t.after(() => sink.cleanup())
  const f = await startHub(t, { notify: { smtp: { url: sink.url, from: 'outpost@example.test', tlsInsecure: false } } })
  await f.hub.close() // closes the notifier too, without waiting on anything pending
  assert.ok(!f.logs.some(l => l.level === 50), JSON.stringify(f.logs.filter(l => l.level === 50)))
})
