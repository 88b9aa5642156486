// The job store's contract, on SQLite and on PostgreSQL: the same suite for both.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Store } from '@outpost/hub'
import type { NewJob, NewJobHost } from '../src/store/job-store.ts'
import { backends, enroll, open, storeWithAgents } from './store-fixtures.ts'

const job = (id: string, over: Partial<NewJob> = {}): NewJob => ({
  id, name: `job ${id}`, createdBy: 'user:alice', createdAt: 1000, runAt: 1000, expiresAt: 100_000, action: { type: 'exec', argv: ['true'] }, ...over
})
const host = (hostId: string, jobId: string, group = 'default'): NewJobHost => ({ hostId, hostName: `host-${hostId}`, group, commandId: `c-${jobId}-${hostId}` })
const cmd = (h: NewJobHost, createdAt: number, expiresAt: number) => ({
  id: h.commandId, agentId: h.hostId, issuer: 'user:alice', body: { type: 'exec' as const, argv: ['true'] }, nonce: `n-${h.commandId}`, createdAt, expiresAt
})
const states = async (s: Store, jobId: string, now: number) => Object.fromEntries((await s.jobs.listJobHosts(jobId, now)).map(h => [h.hostId, h.state]))

for (const b of backends) {
  describe(`Job store contract on ${b.kind}`, () => {
    test('create, read, list newest first with a cursor, filter by groups, count', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2'])
      await s.jobs.createJob(job('j1', { createdAt: 10 }), [host('a1', 'j1', 'web'), host('a2', 'j1', 'db')])
      await s.jobs.createJob(job('j2', { createdAt: 20, action: { type: 'file', path: '/etc/motd', contentBase64: 'aGk=', mode: '0644' } }), [host('a1', 'j2', 'web')])
      await s.jobs.createJob(job('j3', { createdAt: 20 }), [host('a2', 'j3', 'db')])
      const j2 = await s.jobs.getJob('j2')
      assert.deepEqual(j2, { ...job('j2', { createdAt: 20, action: { type: 'file', path: '/etc/motd', contentBase64: 'aGk=', mode: '0644' } }), state: 'scheduled', startedAt: null, cancelledAt: null })
      assert.equal(await s.jobs.getJob('nope'), undefined)
      assert.deepEqual((await s.jobs.listJobHosts('j1', 2000)).map(h => [h.hostId, h.hostName, h.group, h.commandId, h.state]),
        [['a1', 'host-a1', 'web', null, 'waiting'], ['a2', 'host-a2', 'db', null, 'waiting']])
      assert.deepEqual((await s.jobs.listJobs({ limit: 10 })).map(j => j.id), ['j3', 'j2', 'j1'])
      assert.deepEqual((await s.jobs.listJobs({ limit: 1, before: 'j3' })).map(j => j.id), ['j2'])
      assert.deepEqual((await s.jobs.listJobs({ limit: 10, before: 'j2' })).map(j => j.id), ['j1'])
      assert.deepEqual((await s.jobs.listJobs({ limit: 10, groups: ['web'] })).map(j => j.id), ['j2'], 'j1 has a db host')
      assert.deepEqual((await s.jobs.listJobs({ limit: 10, groups: ['web', 'db'] })).map(j => j.id), ['j3', 'j2', 'j1'])
      assert.deepEqual((await s.jobs.jobGroups('j1'))?.sort(), ['db', 'web'])
      assert.equal(await s.jobs.jobGroups('nope'), undefined)
      const counts = await s.jobs.countHosts(['j1', 'j2', 'none'], 2000)
      assert.equal(counts.get('j1')?.waiting, 2)
      assert.equal(counts.get('j2')?.waiting, 1)
      assert.equal(counts.get('none')?.waiting, 0)
      await assert.rejects(s.jobs.createJob(job('j1'), []), { code: 'HUB_ERR_STORE' })
    })

    test('claiming due jobs is atomic: two stores racing claim each job once, never before runAt', async (t) => {
      const where = await b.location(t)
      const s1 = await open(t, where)
      // SQLite: one store per file and process; concurrency there comes through the one connection.
      const s2 = b.kind === 'postgres' ? await open(t, where) : s1
      await enroll(s1, 'a1')
      for (let i = 0; i < 20; i++) await s1.jobs.createJob(job(`j${i}`, { runAt: 5000 }), [host('a1', `j${i}`)])
      await s1.jobs.createJob(job('later', { runAt: 9000 }), [host('a1', 'later')])
      assert.deepEqual(await s1.jobs.claimDueJobs(4999, 100), [], 'not before runAt')
      assert.equal(await s1.jobs.nextWakeAt(), 5000)
      const raced = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? s1 : s2).jobs.claimDueJobs(5000, 100)))
      const claimed = raced.flat().map(j => j.id).sort()
      assert.equal(claimed.length, 20, 'each due job claimed exactly once')
      assert.equal(new Set(claimed).size, 20)
      assert.ok(raced.flat().every(j => j.state === 'running' && j.startedAt === 5000))
      assert.equal((await s1.jobs.getJob('later'))?.state, 'scheduled')
      assert.equal(await s1.jobs.nextWakeAt(), 9000)
    })

    test('hosts follow their commands: waiting, queued, sent, completed with exit code, expired past expiry', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2', 'a3'])
      const hosts = ['a1', 'a2', 'a3'].map(a => host(a, 'j'))
      await s.jobs.createJob(job('j'), hosts)
      await s.jobs.claimDueJobs(2000, 10)
      assert.deepEqual((await s.jobs.hostsToStart('j', 2)).map(h => h.hostId), ['a1', 'a2'])
      for (const h of hosts) await s.createCommand(cmd(h, 2000, 10_000))
      assert.deepEqual(await s.jobs.hostsToStart('j', 10), [])
      assert.deepEqual(await states(s, 'j', 3000), { a1: 'queued', a2: 'queued', a3: 'queued' })
      assert.equal((await s.takeDeliverable('a1', 3000, 0)).length, 1)
      assert.equal((await s.takeDeliverable('a2', 3000, 0)).length, 1)
      assert.equal(await s.completeCommand({ agentId: 'a1', seq: 1, commandId: hosts[0]!.commandId, status: 'completed', finishedAt: 4000, exitCode: 3, signal: null, stdout: '', stderr: '', truncated: false, error: null }), true)
      assert.deepEqual(await states(s, 'j', 5000), { a1: 'completed', a2: 'sent', a3: 'queued' })
      assert.deepEqual(await states(s, 'j', 10_000), { a1: 'completed', a2: 'expired', a3: 'expired' }, 'past the expiry without a result')
      const a1 = (await s.jobs.getJobHosts('j', ['a1'], 5000))[0]
      assert.deepEqual({ ...a1, commandId: a1?.commandId }, { hostId: 'a1', hostName: 'host-a1', group: 'default', commandId: hosts[0]!.commandId, state: 'completed', exitCode: 3, error: null, finishedAt: 4000 })
      assert.deepEqual(await s.jobs.jobHostsOfCommands([hosts[1]!.commandId, 'other']), [{ jobId: 'j', hostId: 'a2' }])
      const c = (await s.jobs.countHosts(['j'], 5000)).get('j')
      assert.deepEqual([c?.completed, c?.sent, c?.queued], [1, 1, 1])
      await s.jobs.settleJobHost('j', 'a3', 'failed', { code: 'X', message: 'y' })
      assert.deepEqual(await states(s, 'j', 5000), { a1: 'completed', a2: 'sent', a3: 'failed' })
    })

    test('cancel: a scheduled job is never claimed; a running one cancels what was not sent, and nothing is delivered after', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2', 'a3'])
      await s.jobs.createJob(job('sched', { runAt: 5000 }), [host('a1', 'sched')])
      assert.deepEqual(await s.jobs.cancelJob('sched', 1500), ['a1'])
      assert.deepEqual(await s.jobs.claimDueJobs(6000, 10), [])
      assert.equal((await s.jobs.getJob('sched'))?.cancelledAt, 1500)
      assert.equal(await s.jobs.cancelJob('sched', 1600), undefined, 'cancelled once')
      assert.equal(await s.jobs.cancelJob('nope', 1600), undefined)

      const hosts = ['a1', 'a2', 'a3'].map(a => host(a, 'run'))
      await s.jobs.createJob(job('run'), hosts)
      await s.jobs.claimDueJobs(2000, 10)
      await s.createCommand(cmd(hosts[0]!, 2000, 50_000))
      await s.createCommand(cmd(hosts[1]!, 2000, 50_000))
      assert.equal((await s.takeDeliverable('a1', 2100, 0)).length, 1, 'a1 got its command before the cancel')
      assert.deepEqual((await s.jobs.cancelJob('run', 2200))?.sort(), ['a2', 'a3'])
      assert.deepEqual(await states(s, 'run', 2300), { a1: 'sent', a2: 'cancelled', a3: 'cancelled' })
      assert.deepEqual(await s.takeDeliverable('a2', 2300, 0), [], 'the cancelled command is never handed out')
      assert.equal((await s.getCommand(hosts[1]!.commandId))?.status, 'expired')
      assert.deepEqual(await s.jobs.hostsToStart('run', 10), [], 'a cancelled host is not started')
      // A start racing the cancel created a command after it: the sweep catches it.
      await s.createCommand(cmd(hosts[2]!, 2400, 50_000))
      assert.deepEqual(await s.jobs.sweepCancelled('run'), ['a3'])
      assert.equal((await s.getCommand(hosts[2]!.commandId))?.status, 'expired')
      assert.deepEqual(await s.takeDeliverable('a3', 2500, 0), [])
      assert.deepEqual(await states(s, 'run', 2500), { a1: 'sent', a2: 'cancelled', a3: 'cancelled' })
    })

    test('expiry is announced once; a stalled start is taken over once', async (t) => {
      const s = await storeWithAgents(t, b, ['a1'])
      await s.jobs.createJob(job('j', { expiresAt: 8000 }), [host('a1', 'j')])
      await s.jobs.claimDueJobs(2000, 10)
      assert.equal(await s.jobs.nextWakeAt(), 8000)
      assert.deepEqual(await s.jobs.claimExpiredJobs(7999, 10), [])
      assert.deepEqual(await s.jobs.reclaimStalledJobs(3000, 1000, 10), [], 'claimed at 2000: not stale before 1000')
      assert.deepEqual((await s.jobs.reclaimStalledJobs(3000, 2500, 10)).map(j => j.id), ['j'])
      assert.deepEqual(await s.jobs.reclaimStalledJobs(3000, 2500, 10), [], 'now claimed at 3000')
      assert.deepEqual(await s.jobs.claimExpiredJobs(8000, 10), ['j'])
      assert.deepEqual(await s.jobs.claimExpiredJobs(9000, 10), [])
      assert.equal(await s.jobs.nextWakeAt(), null)
      assert.deepEqual(await s.jobs.reclaimStalledJobs(9000, 8500, 10), [], 'an expired job is not restarted')
    })
  })
}
