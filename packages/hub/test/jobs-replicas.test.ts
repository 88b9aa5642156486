// Exactly-once start: two hubs on one store (one PostgreSQL schema; one SQLite store shared by two
// hubs' services) and one bus, so that both schedulers wake at the same runAt and race for the
// job. The store's atomic claim gives it to one: one `job.start`, one command per host.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openStore, type Store } from '@outpost/hub'
import { enrollSimulatedAgent, startHub, startPostgres, type TestHub } from '@outpost/testkit'
import { MemoryBus } from '../src/bus/memory-bus.ts'
import { auditOf, createJob, untilJob } from './support/jobs-fixture.ts'

async function twoHubs (t: TestContext, kind: 'sqlite' | 'postgres'): Promise<[TestHub, TestHub]> {
  const bus = new MemoryBus()
  t.after(() => bus.close())
  if (kind === 'postgres') {
    const pg = await startPostgres()
    t.after(() => pg.cleanup())
    const config = { store: { kind: 'postgres' as const, url: pg.url, schema: pg.schema } }
    const a = await startHub({ config, deps: { bus } })
    t.after(() => a.cleanup())
    const b = await startHub({ config, deps: { bus } })
    t.after(() => b.cleanup())
    return [a, b]
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-jobs-replicas-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const store: Store = await openStore({ kind: 'sqlite', file: path.join(dir, 'hub.db') })
  t.after(() => store.close())
  const a = await startHub({ deps: { bus, store } })
  t.after(() => a.cleanup())
  const b = await startHub({ deps: { bus, store } })
  t.after(() => b.cleanup())
  return [a, b]
}

for (const kind of ['sqlite', 'postgres'] as const) {
  test(`two hubs on one ${kind} store start a scheduled job once`, { timeout: 60_000 }, async (t) => {
    const [a, b] = await twoHubs(t, kind)
    const hosts = []
    for (let i = 0; i < 5; i++) hosts.push((await enrollSimulatedAgent(a.url, await (i % 2 === 0 ? a : b).enrollToken(), `h${i}`)).agentId)
    const runAt = Date.now() + 1500
    const job = await createJob(a, { target: { hostIds: hosts }, action: { type: 'exec', argv: ['true'] }, runAt: new Date(runAt).toISOString() })
    const started = await untilJob(b, job.id, j => j.hosts.every(h => h.state === 'queued'), 'every host to be queued')
    assert.equal(started.state, 'running')
    const starts = (await auditOf(a, 'job.start')).filter(e => e.target === `job:${job.id}`)
    assert.equal(starts.length, 1, 'started once')
    const commands = (await auditOf(b, 'command.create')).map(e => e.target).sort()
    assert.deepEqual(commands, hosts.map(h => `host:${h}`).sort(), 'one command per host')
    const ids = new Set(started.hosts.map(h => h.commandId))
    assert.equal(ids.size, 5)
  })
}
