// A filesystem filling past a threshold is reported at once, not at the next interval. The
// filesystem is real: a 4 MiB ext4 image loop-mounted by the test (needs root, as CI has).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { startHub, api } from '@outpost/testkit'
import { createAgent, enrollAgent, parseAgentConfig } from '@outpost/agent'
import { encodeInstance } from '../src/collectors/metric-name.ts'

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

interface EventView { name: string, metric?: string, value?: number, severity: string }

test('a filesystem crossing 75 % is reported at once as a threshold event', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-threshold-'))
  const cleanups: Array<() => unknown> = [() => fs.rmSync(dir, { recursive: true, force: true })]
  t.after(async () => { for (const c of cleanups.reverse()) await c() })
  const { mountPoint, unmount } = mountSmallFilesystem(dir)
  cleanups.push(unmount)
  const hub = await startHub()
  cleanups.push(() => hub.cleanup())

  const stateDir = path.join(dir, 'state')
  const { agentId } = await enrollAgent({ token: await hub.enrollToken(), stateDir })
  // The interval is a minute (±20 % jitter): anything that arrives within the bounded wait
  // below was sent because of the crossing, not because an interval ended.
  const agent = createAgent(parseAgentConfig({ stateDir, intervalMs: 60_000, thresholdCheckMs: 500, logLevel: 'silent' }))
  cleanups.push(() => agent.stop())
  await agent.start()
  await once(agent, 'acked', { signal: AbortSignal.timeout(20_000) })

  const metric = `fs.used_pct[${encodeInstance(mountPoint)}]`
  // Fill to about 82 %: past the 75 % warning rule, short of the 90 % critical one.
  const s = fs.statfsSync(mountPoint)
  const used = (s.blocks - s.bfree) * s.bsize
  const usable = used + s.bavail * s.bsize
  fs.writeFileSync(path.join(mountPoint, 'fill'), Buffer.alloc(Math.floor(0.82 * usable - used)))
  execFileSync('sync')

  const deadline = Date.now() + 20_000
  let crossed: EventView | undefined
  while (crossed === undefined && Date.now() < deadline) {
    await once(agent, 'acked', { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) })
    const detail = await api(hub.url, hub.adminToken, `/hosts/${agentId}`)
    assert.equal(detail.status, 200)
    crossed = (detail.json.recentEvents as EventView[]).find((e) => e.name === 'threshold.crossed' && e.metric === metric)
  }
  assert.ok(crossed !== undefined, `a threshold.crossed event for ${metric} reached the hub`)
  assert.ok((crossed.value ?? 0) >= 75, `the event carries the value (${String(crossed.value)})`)
  assert.equal(crossed.severity, 'warning')
})
