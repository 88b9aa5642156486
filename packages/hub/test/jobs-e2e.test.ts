// A job to five real agents (in-process `createAgent` against a real hub), one of them offline
// until later: four complete at once with their own results, the fifth stays pending, gets the
// job when it comes back, and the job ends finished with five completed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { createAgent, enrollAgent, parseAgentConfig, type Agent } from '@outpost/agent'
import { startHub } from './support/hub-fixture.ts'
import { createJob, hostStates, untilJob } from './support/jobs-fixture.ts'

test('a job reaches five agents; the one offline gets it when it comes back', { timeout: 120_000 }, async (t) => {
  const f = await startHub(t)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-jobs-e2e-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const running = new Set<Agent>()
  t.after(async () => { for (const a of running) await a.stop() })
  const launch = async (stateDir: string): Promise<Agent> => {
    const agent = createAgent(parseAgentConfig({ stateDir, intervalMs: 60_000, pollWaitMs: 5_000, thresholds: [], backoff: { minMs: 50, maxMs: 500 }, logLevel: 'silent' }))
    running.add(agent)
    const acked = once(agent, 'acked', { signal: AbortSignal.timeout(30_000) })
    await agent.start()
    await acked
    return agent
  }
  const ids: string[] = []
  const dirs: string[] = []
  const agents: Agent[] = []
  for (let i = 0; i < 5; i++) {
    const stateDir = path.join(dir, `agent-${i}`)
    ids.push((await enrollAgent({ token: await f.enrollToken(), stateDir })).agentId)
    dirs.push(stateDir)
    agents.push(await launch(stateDir))
  }
  const offline = ids[4]!
  await agents[4]!.stop()
  running.delete(agents[4]!)

  const job = await createJob(f, { name: 'uptime everywhere', target: { hostIds: ids }, action: { type: 'exec', argv: [process.execPath, '-e', 'process.stdout.write("ok"); process.exit(7)'] } })
  assert.equal(job.counts.total, 5)

  const four = await untilJob(f, job.id, j => j.counts.completed === 4, 'four hosts to complete')
  assert.equal(four.state, 'running')
  assert.equal(four.counts.pending, 1)
  const states = hostStates(four)
  assert.equal(states[offline], 'queued', 'the offline host waits for its agent')
  for (const h of four.hosts.filter(x => x.hostId !== offline)) {
    assert.equal(h.state, 'completed')
    assert.equal(h.exitCode, 7)
    assert.notEqual(h.commandId, null)
  }

  await launch(dirs[4]!)
  const done = await untilJob(f, job.id, j => j.state !== 'running', 'the job to finish')
  assert.equal(done.state, 'finished')
  assert.deepEqual({ ...done.counts }, { total: 5, pending: 0, completed: 5, failed: 0, rejected: 0, expired: 0, cancelled: 0 })
  assert.ok(done.hosts.every(h => h.state === 'completed' && h.exitCode === 7))
})
