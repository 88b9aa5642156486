// End to end: a real agent watches a real (loop-mounted, 4 MiB ext4) filesystem; filling it past
// 90 % makes the agent report at once, the hub's default rule fires a critical alert, and the real
// notifier's mail, with the host's link, is accepted by a real SMTP server. Needs root (as CI has).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { startHub, startSmtpSink, api } from '@outpost/testkit'
import { createAgent, enrollAgent, parseAgentConfig } from '@outpost/agent'

function mountSmallFilesystem (dir: string): { mountPoint: string, unmount: () => void } {
  const image = path.join(dir, 'fs.img')
  const mountPoint = path.join(dir, 'mnt')
  fs.mkdirSync(mountPoint)
  fs.writeFileSync(image, Buffer.alloc(0))
  fs.truncateSync(image, 4 * 1024 * 1024)
  try {
    execFileSync('mkfs.ext4', ['-q', '-F', image])
    execFileSync('mount', ['-o', 'loop', image, mountPoint])
  } catch (err) {
    throw new Error('this test loop-mounts a small ext4 image and needs root with loop devices (mkfs.ext4, mount -o loop)', { cause: err })
  }
  return { mountPoint, unmount: () => execFileSync('umount', [mountPoint]) }
}

test('a real filesystem crossing 90 % reaches the admin\'s inbox as a critical alert with the host link', { timeout: 60_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-alert-e2e-'))
  const cleanups: Array<() => unknown> = [() => fs.rmSync(dir, { recursive: true, force: true })]
  t.after(async () => { for (const c of cleanups.reverse()) await c() })
  const { mountPoint, unmount } = mountSmallFilesystem(dir)
  cleanups.push(unmount)
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

  const s = fs.statfsSync(mountPoint)
  const used = (s.blocks - s.bfree) * s.bsize
  const usable = used + s.bavail * s.bsize
  fs.writeFileSync(path.join(mountPoint, 'fill'), Buffer.alloc(Math.floor(0.95 * usable - used)))
  execFileSync('sync')

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
