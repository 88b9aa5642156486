// A filesystem filling past a threshold is reported at once, not at the next interval. The
// filesystem is real: a small ext4 image loop-mounted by the test (needs root, as CI has).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import fs from 'node:fs'
import os from 'node:os'
import { once } from 'node:events'
import { startHub, api, mountLoopFilesystem } from '@outpost/testkit'
import { createAgent, enrollAgent, parseAgentConfig } from '@outpost/agent'
import { encodeInstance } from '../src/collectors/metric-name.ts'

interface EventView { name: string, metric?: string, value?: number, severity: string }

test('a filesystem crossing 75 % is reported at once as a threshold event', async (t) => {
  const cleanups: Array<() => unknown> = []
  t.after(async () => { for (const c of cleanups.reverse()) await c() })
  const loop = mountLoopFilesystem()
  cleanups.push(() => loop.cleanup())
  const hub = await startHub()
  cleanups.push(() => hub.cleanup())

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-threshold-'))
  cleanups.push(() => fs.rmSync(stateDir, { recursive: true, force: true }))
  const { agentId } = await enrollAgent({ token: await hub.enrollToken(), stateDir })
  // The interval is a minute (±20 % jitter): anything that arrives within the bounded wait
  // below was sent because of the crossing, not because an interval ended.
  const agent = createAgent(parseAgentConfig({ stateDir, intervalMs: 60_000, thresholdCheckMs: 500, logLevel: 'silent' }))
  cleanups.push(() => agent.stop())
  await agent.start()
  await once(agent, 'acked', { signal: AbortSignal.timeout(20_000) })

  const metric = `fs.used_pct[${encodeInstance(loop.mountPoint)}]`
  // About 82 %: past the 75 % warning rule, short of the 90 % critical one.
  loop.fillTo(82)

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
