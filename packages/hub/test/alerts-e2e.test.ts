// End to end: a real agent watches a real (loop-mounted, 4 MiB ext4) filesystem; filling it past
// 90 % makes the agent report at once, the hub's default rule fires a critical alert, and the real
// notifier's mail, with the host's link, is accepted by a real SMTP server. Needs root (as CI has).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { startHub, startSmtpSink, api, mountLoopFilesystem } from '@outpost/testkit'
import { createAgent, enrollAgent, parseAgentConfig } from '@outpost/agent'

test('a real filesystem crossing 90 % reaches the admin\'s inbox as a critical alert with the host link', { timeout: 60_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-alert-e2e-'))
  const cleanups: Array<() => unknown> = [() => fs.rmSync(dir, { recursive: true, force: true })]
  t.after(async () => { for (const c of cleanups.reverse()) await c() })
  const loop = mountLoopFilesystem()
  cleanups.push(() => loop.cleanup())
  const mountPoint = loop.mountPoint
  const sink = await startSmtpSink()
  cleanups.push(() => sink.cleanup())
  const hub = await startHub({ config: { adminEmail: 'admin@example.test', notify: { smtp: { url: sink.url, from: 'hub@example.test', tlsInsecure: false } } } })
  cleanups.push(() => hub.cleanup())

  const stateDir = path.join(dir, 'state')
  const { agentId } = await enrollAgent({ token: await hub.enrollToken(), stateDir })
  // A one-minute interval: what arrives within the wait below was sent because of the crossing.
  const agent = createAgent(parseAgentConfig({ stateDir, intervalMs: 60_000, thresholdCheckMs: 500, logLevel: 'silent' }))
  cleanups.push(() => agent.stop())
  await agent.start()
  await once(agent, 'acked', { signal: AbortSignal.timeout(20_000) })

  loop.fillTo(95)

  const metric = `fs.used_pct[${mountPoint}]`
  const mail = await sink.waitForMessage(m => m.subject?.startsWith('[CRITICAL]') === true && m.subject.includes(metric), 30_000)
  assert.match(mail.subject ?? '', /= 9\d(\.\d+)? \(≥ 90\)$/)
  assert.ok(mail.text?.includes(`/hosts/${agentId}`), 'the mail links to the host page')
  assert.deepEqual(sink.envelopes[sink.messages.indexOf(mail)]?.to, ['admin@example.test'])
  const open = await api(hub.url, hub.adminToken, `/alerts?state=open&hostId=${agentId}`)
  const alert = (open.json as Array<{ ruleId: string, metric: string, severity: string }>).find(a => a.metric === metric)
  assert.equal(alert?.ruleId, 'default-filesystem-full')
  assert.equal(alert?.severity, 'critical')
})
