// `outpost hub` notification flags: --smtp, --mail-from, --smtp-tls-insecure, --webhook-secret-file, OUTPOST_ADMIN_EMAIL.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { runOutpost } from '@outpost/testkit'
import { hubConfigFromFlags, parseHubFlags, HUB_HELP } from '../src/commands/hub-command.ts'
import { tempDir } from './support.ts'

test('notification flags and OUTPOST_ADMIN_EMAIL become config.notify and config.adminEmail', (t) => {
  const dir = tempDir(t)
  const secretFile = path.join(dir, 'webhook.secret')
  fs.writeFileSync(secretFile, 'a-webhook-secret-of-some-length\n', { mode: 0o600 })
  const { values } = parseHubFlags(['--data', dir, '--smtp', 'smtp://127.0.0.1:2525', '--mail-from', 'outpost@example.test', '--smtp-tls-insecure', '--webhook-secret-file', secretFile])
  const config = hubConfigFromFlags(values, { OUTPOST_ADMIN_EMAIL: 'admin@example.test' })
  assert.deepEqual(config.notify.smtp, { url: 'smtp://127.0.0.1:2525', from: 'outpost@example.test', tlsInsecure: true })
  assert.equal(config.notify.webhookSecret, 'a-webhook-secret-of-some-length')
  assert.equal(config.notify.groupWindowMs, 30_000)
  assert.equal(config.adminEmail, 'admin@example.test')

  const plain = hubConfigFromFlags(parseHubFlags(['--data', dir]).values, {})
  assert.deepEqual({ smtp: plain.notify.smtp, secret: plain.notify.webhookSecret, adminEmail: plain.adminEmail }, { smtp: null, secret: null, adminEmail: null })
  const fromEnv = hubConfigFromFlags(parseHubFlags(['--data', dir, '--mail-from', 'o@example.test']).values, { OUTPOST_SMTP_URL: 'smtps://u:p@127.0.0.1:465' })
  assert.equal(fromEnv.notify.smtp?.url, 'smtps://u:p@127.0.0.1:465')
  assert.match(HUB_HELP, /--smtp URL|--smtp smtp:\/\//)
  assert.match(HUB_HELP, /--webhook-secret-file/)
  assert.match(HUB_HELP, /OUTPOST_ADMIN_EMAIL/)
})

test('notification flag mistakes are usage errors that say what to do', async (t) => {
  const dir = tempDir(t)
  const short = path.join(dir, 'short.secret')
  fs.writeFileSync(short, 'too-short')
  const cases: Array<[string[], RegExp]> = [
    [['--smtp', 'smtp://127.0.0.1:2525'], /--smtp needs --mail-from/],
    [['--mail-from', 'o@example.test'], /need --smtp/],
    [['--smtp', 'http://127.0.0.1', '--mail-from', 'o@example.test'], /smtp:\/\//],
    [['--webhook-secret-file', path.join(dir, 'missing')], /cannot read/],
    [['--webhook-secret-file', short], /at least 16 characters/]
  ]
  for (const [flags, message] of cases) {
    assert.throws(() => hubConfigFromFlags(parseHubFlags(['--data', dir, ...flags]).values, {}), (err: Error) => err.name === 'UsageError' && message.test(err.message))
  }
  // And as the shipped command reports it: exit code 2 and the message on stderr.
  const r = await runOutpost(['hub', '--data', dir, '--smtp', 'smtp://127.0.0.1:2525'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /--smtp needs --mail-from/)
})
