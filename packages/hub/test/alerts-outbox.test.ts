// The alert outbox is durable until delivery: a real hub, a real SMTP relay that is down and comes
// back, and the outbox table read straight from the hub's SQLite file.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { HubPath } from '@outpost/protocol'
import { startHub, startSmtpSink, enrollSimulatedAgent, agentHeaders, request, api, type TestHub, type SimulatedAgent } from '@outpost/testkit'
import type { HubDeps } from '@outpost/hub'
import { SQLITE_FILE_NAME } from '../src/config/store-options.ts'

const T0 = Date.parse('2026-03-01T12:00:00.000Z')
const FS90 = { type: 'metric-threshold', metric: 'fs.used_pct[*]', op: '>=', value: 90, forMs: 0 } as const
const SUBJECT = '[CRITICAL] web-1: fs.used_pct[/var] = 95 (≥ 90)'

interface Row { id: string, claimed_at: number | null }

/** The outbox rows, read on a connection of its own (WAL: it never blocks the hub). */
function outbox (dataDir: string): Row[] {
  const db = new DatabaseSync(path.join(dataDir, SQLITE_FILE_NAME), { readOnly: true })
  try {
    return db.prepare('SELECT id, claimed_at FROM alert_notifications ORDER BY id').all() as unknown as Row[]
  } finally {
    db.close()
  }
}

/** Polls `cond` until it holds (bounded); returns its last truthy value. */
async function until<T> (what: string, cond: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = cond()
    if (v !== undefined && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A relay URL on a port nothing listens on (and the port, to come back on). */
async function deadRelay (): Promise<{ url: string, port: number }> {
  const s = await startSmtpSink()
  await s.cleanup()
  return { url: `smtp://127.0.0.1:${s.port}`, port: s.port }
}

async function hub (t: TestContext, relay: string, deps: Omit<HubDeps, 'logger'>, dataDir?: string): Promise<TestHub> {
  const f = await startHub({
    config: { agentIntervalMs: 60_000, notify: { smtp: { url: relay, from: 'hub@example.test', tlsInsecure: false }, groupWindowMs: 0 } },
    deps,
    ...(dataDir === undefined ? {} : { dataDir })
  })
  t.after(() => f.cleanup())
  return f
}

/** Creates a critical disk rule and makes web-1 cross it; returns the agent. */
async function fire (f: TestHub, now: number): Promise<SimulatedAgent> {
  const res = await api(f.url, f.adminToken, '/alert-rules', {
    method: 'POST',
    body: { name: 'disk full', enabled: true, severity: 'critical', scope: { type: 'all' }, condition: FS90, notify: { emails: ['ops@example.test'], webhooks: [] }, repeatIntervalMs: 0 }
  })
  assert.equal(res.status, 201, res.text)
  const a = await enrollSimulatedAgent(f.url, await f.enrollToken(), 'web-1')
  const body = JSON.stringify({ type: 'report', seq: 1, time: now, metrics: [{ name: 'fs.used_pct[/var]', value: 95 }], events: [] })
  assert.equal((await request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers: agentHeaders(a, body, { now }), body })).status, 200)
  return a
}

const count = (f: TestHub, msg: string): number => f.logs.filter(l => l.msg === msg).length
const RETRIED = 'notification attempt failed; will retry'

test('while the relay is down the notification stays in the outbox, its lease renewed; once it is back the mail arrives and the row goes', { timeout: 30_000 }, async (t) => {
  const relay = await deadRelay()
  let clock = T0
  const f = await hub(t, relay.url, { now: () => clock, notifyRetry: { maxAttempts: 10_000, baseMs: 20, maxMs: 50 } })
  await fire(f, clock)
  const [row] = await until('a claimed outbox row', () => { const r = outbox(f.dataDir); return r.length === 1 && r[0]?.claimed_at !== null && r })
  assert.equal(row?.claimed_at, T0)
  await until('two failed attempts', () => count(f, RETRIED) >= 2)
  assert.equal(outbox(f.dataDir).length, 1, 'handed to the notifier, still in the outbox')

  clock += 25_000
  await until('the lease renewed by a sweep', () => outbox(f.dataDir)[0]?.claimed_at === clock)
  // Past a whole lease in one step: the pass renews before it claims, so nothing is sent twice.
  clock += 61_000
  await until('the lease renewed again', () => outbox(f.dataDir)[0]?.claimed_at === clock)
  const retried = count(f, RETRIED)
  await until('retries going on', () => count(f, RETRIED) > retried)
  assert.deepEqual(outbox(f.dataDir).map(r => r.id), [row?.id])

  const back = await startSmtpSink({ port: relay.port })
  t.after(() => back.cleanup())
  await back.waitForMessage(m => m.subject === SUBJECT)
  await until('the row deleted', () => outbox(f.dataDir).length === 0)
  assert.equal(back.messages.filter(m => m.subject === SUBJECT).length, 1, 'sent once')
  assert.ok(f.logs.some(l => l.msg === 'notification delivered after retries'))
})

test('a notification still undelivered when the hub closes survives: the next hub on the same data sends it', { timeout: 30_000 }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-outbox-'))
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }))
  const relay = await deadRelay()
  const first = await hub(t, relay.url, { notifyRetry: { maxAttempts: 10_000, baseMs: 20, maxMs: 50 } }, dataDir)
  await fire(first, Date.now())
  await until('a failed attempt', () => count(first, RETRIED) >= 1)
  await first.hub.close()
  const kept = outbox(dataDir)
  assert.equal(kept.length, 1, 'not delivered: kept')
  assert.equal(kept[0]?.claimed_at, null, 'its claim given back at a graceful close')
  assert.ok(first.logs.some(l => l.msg === 'undelivered notifications left in the outbox for the next start'))

  const sink = await startSmtpSink()
  t.after(() => sink.cleanup())
  const second = await hub(t, sink.url, {}, dataDir)
  const mail = await sink.waitForMessage(m => m.subject === SUBJECT)
  assert.deepEqual(sink.envelopes[sink.messages.indexOf(mail)]?.to, ['ops@example.test'])
  await until('the row deleted', () => outbox(dataDir).length === 0)
  assert.equal(count(second, RETRIED), 0)
})

test('a notification given up after its last attempt leaves the outbox and is logged', { timeout: 30_000 }, async (t) => {
  const relay = await deadRelay()
  const f = await hub(t, relay.url, { notifyRetry: { maxAttempts: 3, baseMs: 5, maxMs: 10 } })
  await fire(f, Date.now())
  const gaveUp = await until('the give-up log', () => f.logs.find(l => l.msg === 'notification not delivered; giving up'))
  assert.equal(gaveUp.attempts, 3)
  assert.equal(gaveUp.target, 'ops@example.test')
  assert.equal((gaveUp.alertIds as string[]).length, 1)
  await until('the row deleted', () => outbox(f.dataDir).length === 0)
  assert.equal(count(f, RETRIED), 2, 'no attempt after the last')
})
