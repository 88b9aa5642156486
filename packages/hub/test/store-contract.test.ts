import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { CommandResult } from '@outpost/hub'
import { parseJson, ReportMessage, validate } from '@outpost/protocol'
import { verifyAuditChain } from '../src/store/kysely/audit-chain.ts'
import { backends, command, enroll, open, report, storeWithAgents } from './store-fixtures.ts'

const result = (agentId: string, seq: number, commandId: string, stdout = 'out'): CommandResult => ({
  agentId, seq, commandId, status: 'completed', finishedAt: 5000, exitCode: 0, signal: null, stdout, stderr: '', truncated: false, error: null
})

for (const b of backends) {
  describe(`Store contract on ${b.kind}`, () => {
    test('settings: first writer wins, also when racing', async (t) => {
      const s = await storeWithAgents(t, b)
      assert.equal(s.kind, b.kind)
      assert.equal(await s.getSetting('k'), undefined)
      assert.equal(await s.putSettingIfAbsent('k', 'one'), 'one')
      assert.equal(await s.putSettingIfAbsent('k', 'two'), 'one')
      assert.equal(await s.getSetting('k'), 'one')
      const raced = await Promise.all(['a', 'b', 'c'].map((v) => s.putSettingIfAbsent('race', v)))
      assert.equal(new Set(raced).size, 1)
      assert.equal(await s.getSetting('race'), raced[0])
    })

    test('users and API tokens', async (t) => {
      const s = await storeWithAgents(t, b)
      assert.equal(await s.countUsers(), 0)
      const user = { id: 'u1', name: 'alice', passwordHash: 'phc', role: 'admin' as const, createdAt: 10 }
      await s.createUser(user)
      assert.equal(await s.countUsers(), 1)
      assert.deepEqual(await s.findUserByName('alice'), user)
      assert.equal(await s.findUserByName('bob'), undefined)
      await assert.rejects(s.createUser({ ...user, id: 'u2' }), { code: 'HUB_ERR_STORE' })
      assert.equal(await s.countUsers(), 1)

      await s.createApiToken({ id: 't1', name: 'ci', tokenHash: 'a'.repeat(64), role: 'operator', userId: 'u1', createdAt: 20 })
      assert.equal(await s.useApiToken('b'.repeat(64), 30), undefined)
      const used = await s.useApiToken('a'.repeat(64), 40)
      assert.deepEqual(used, { id: 't1', name: 'ci', tokenHash: 'a'.repeat(64), role: 'operator', userId: 'u1', createdAt: 20, lastUsedAt: 40 })
    })

    test('enrollment: token is single use, checked for hash and expiry, and writes nothing when refused', async (t) => {
      const s = await storeWithAgents(t, b)
      await s.createEnrollToken({ id: 'e1', secretHash: 'good', group: 'web', expiresAt: 5000, createdAt: 1, createdBy: 'user:alice' })
      const agent = { id: 'a1', name: 'web-1', publicKey: 'pk1', enrolledAt: 1000 }
      assert.equal(await s.enrollAgent('e1', 'bad', agent), undefined, 'wrong hash')
      assert.equal(await s.enrollAgent('nope', 'good', agent), undefined, 'unknown token')
      assert.equal(await s.enrollAgent('e1', 'good', { ...agent, enrolledAt: 5000 }), undefined, 'expired')
      assert.deepEqual(await s.listAgents(), [])
      const rec = await s.enrollAgent('e1', 'good', { ...agent, group: 'ignored' })
      assert.deepEqual(rec, {
        id: 'a1', name: 'web-1', group: 'web', publicKey: 'pk1', enrolledAt: 1000, lastSeen: null, inventory: null, inventoryAt: null, snapshot: null, snapshotAt: null, os: ''
      })
      assert.equal(await s.enrollAgent('e1', 'good', { ...agent, id: 'a2', publicKey: 'pk2' }), undefined, 'second use')
      assert.deepEqual((await s.listAgents()).map((a) => a.id), ['a1'])
      assert.deepEqual(await s.getAgent('a1'), rec)
      assert.equal(await s.getAgent('a2'), undefined)
    })

    test('enrollment: of concurrent uses of one token only one wins', async (t) => {
      const where = await b.location(t)
      const s1 = await open(t, where)
      // SQLite: one store per file and process (a second connection in the same process would
      // wait on the first synchronously); concurrency there comes through the one connection.
      const s2 = b.kind === 'postgres' ? await open(t, where) : s1
      await s1.createEnrollToken({ id: 'e1', secretHash: 'h', group: 'g', expiresAt: 5000, createdAt: 1, createdBy: 'system' })
      const attempts = Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? s1 : s2).enrollAgent('e1', 'h', { id: `a${i}`, name: `n${i}`, publicKey: `pk${i}`, enrolledAt: 1000 }))
      const outcomes = await Promise.all(attempts)
      assert.equal(outcomes.filter((o) => o !== undefined).length, 1)
      assert.equal((await s1.listAgents()).length, 1)
    })

    test('touchAgent only moves lastSeen forward', async (t) => {
      const s = await storeWithAgents(t, b, ['a1'])
      await s.touchAgent('a1', 500)
      await s.touchAgent('a1', 300)
      assert.equal((await s.getAgent('a1'))?.lastSeen, 500)
      await s.touchAgent('a1', 700)
      assert.equal((await s.getAgent('a1'))?.lastSeen, 700)
    })

    test('touchAgents writes many agents at once, each only forward; unknown ids change nothing', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2'])
      await s.touchAgent('a2', 900)
      await s.touchAgents([['a1', 500], ['a2', 400], ['ghost', 100]])
      assert.deepEqual([(await s.getAgent('a1'))?.lastSeen, (await s.getAgent('a2'))?.lastSeen], [500, 900])
      assert.equal(await s.getAgent('ghost'), undefined)
    })

    test('ingest stores a report once, within and across batches', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2'])
      const ev = { name: 'threshold.crossed', severity: 'warning' as const, message: 'hot', time: 100 }
      const r1 = report('a1', 1, 100, 2, { events: [ev] })
      await s.ingestReports([r1, report('a2', 1, 100), { ...r1, metrics: [{ name: 'm.v0', value: 99 }] }])
      await s.ingestReports([r1, report('a1', 2, 200)])
      await s.ingestReports([r1])
      assert.deepEqual(await s.queryMetrics('a1', 'm.v0', 0, 1000, 100), [{ time: 100, value: 1 }, { time: 200, value: 2 }])
      assert.deepEqual(await s.queryMetrics('a2', 'm.v0', 0, 1000, 100), [{ time: 100, value: 1 }])
      assert.deepEqual(await s.recentEvents('a1', 10), [ev])
      assert.equal((await s.getAgent('a1'))?.lastSeen, 201)
    })

    test('ingest keeps the newest inventory, status and metric values', async (t) => {
      const s = await storeWithAgents(t, b, ['a1'])
      const inv = (hostname: string) => ({
        hostname, domain: '', bootTime: 1, ipAddresses: [], macAddresses: [], users: [],
        cpu: { model: 'x', cores: 2, physicalCores: 1, speedMhz: 1000 }, memory: { totalBytes: 1, swapTotalBytes: 0 },
        disks: [], nics: [], kernel: 'k', os: { platform: 'linux', distribution: 'd', release: 'r', codename: 'c', arch: 'x64' },
        packages: { manager: 'none', items: [] }
      })
      const status = { processes: [], listeningPorts: [{ protocol: 'tcp', address: '0.0.0.0', port: 22, process: 'sshd' }] }
      assert.deepEqual(await s.latestMetrics('a1'), { time: null, values: {} })
      await s.ingestReports([report('a1', 2, 200, 2, { inventory: inv('new'), status })])
      await s.ingestReports([report('a1', 1, 100, 3, { inventory: inv('old') }), report('a1', 3, 300, 0)])
      await s.ingestReports([{ ...report('a1', 4, 400, 0), metrics: [{ name: 'm.v0', value: 7 }] }])
      const a = await s.getAgent('a1')
      assert.equal(a?.inventory?.hostname, 'new', 'a replayed older report does not overwrite')
      assert.equal(a?.inventoryAt, 200)
      assert.deepEqual(a?.snapshot, status)
      assert.equal(a?.snapshotAt, 200)
      assert.deepEqual(await s.latestMetrics('a1'), { time: 400, values: { 'm.v0': 7, 'm.v1': 2.01 } })
      assert.deepEqual(await s.latestMetrics('ghost'), { time: null, values: {} })
    })

    test('queryMetrics honours the range, order and limit', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2'])
      await s.ingestReports([50, 10, 40, 20, 30].map((time, i) => report('a1', i + 1, time, 2)))
      await s.ingestReports([report('a2', 1, 20, 1)])
      const times = async (from: number, to: number, limit: number) => (await s.queryMetrics('a1', 'm.v0', from, to, limit)).map((p) => p.time)
      assert.deepEqual(await times(0, 100, 100), [10, 20, 30, 40, 50])
      assert.deepEqual(await times(20, 40, 100), [20, 30, 40])
      assert.deepEqual(await times(0, 100, 2), [10, 20])
      assert.deepEqual(await times(0, 100, 0), [])
      assert.deepEqual(await times(60, 100, 10), [])
      assert.deepEqual(await s.queryMetrics('a1', 'm.v1', 30, 30, 10), [{ time: 30, value: 5.01 }])
      assert.deepEqual(await s.queryMetrics('a1', 'm.none', 0, 100, 10), [])
    })

    test('queryMetrics picks the name out of reports with different sets of metrics', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2'])
      const r = (agentId: string, seq: number, time: number, metrics: Array<[string, number]>) =>
        report(agentId, seq, time, 0, { metrics: metrics.map(([name, value]) => ({ name, value })) })
      await s.ingestReports([
        r('a1', 1, 10, [['cpu', 1], ['mem', 2]]),
        r('a1', 2, 20, [['mem', 3]]),
        r('a1', 3, 30, [['mem', 4], ['cpu', 5], ['disk[/var]', 6]]),
        r('a2', 1, 30, [['cpu', 7], ['mem', 8]])
      ])
      await s.ingestReports([r('a1', 4, 40, [['cpu', 9], ['mem', 10]]), r('a1', 5, 50, [['disk[/var]', 11]])])
      const q = (agentId: string, name: string, from = 0, to = 100, limit = 100) => s.queryMetrics(agentId, name, from, to, limit)
      assert.deepEqual(await q('a1', 'cpu'), [{ time: 10, value: 1 }, { time: 30, value: 5 }, { time: 40, value: 9 }])
      assert.deepEqual(await q('a1', 'mem'), [10, 20, 30, 40].map((time, i) => ({ time, value: [2, 3, 4, 10][i] })))
      assert.deepEqual(await q('a1', 'disk[/var]'), [{ time: 30, value: 6 }, { time: 50, value: 11 }])
      assert.deepEqual(await q('a2', 'cpu'), [{ time: 30, value: 7 }], 'same set, other agent')
      // The limit counts points of the name, not the reports skipped for lacking it.
      assert.deepEqual(await q('a1', 'cpu', 0, 100, 2), [{ time: 10, value: 1 }, { time: 30, value: 5 }])
      assert.deepEqual(await q('a1', 'cpu', 11, 39, 10), [{ time: 30, value: 5 }])
      assert.deepEqual(await q('a1', 'disk[/var]', 31, 49, 10), [])
      assert.deepEqual(await s.latestMetrics('a1'), { time: 50, values: { cpu: 9, mem: 10, 'disk[/var]': 11 } })
      // Back to the first set: the latest values still keep the name it lacks.
      await s.ingestReports([r('a1', 6, 60, [['cpu', 12], ['mem', 13]]), r('a1', 7, 70, [['cpu', 14], ['mem', 15]])])
      assert.deepEqual(await s.latestMetrics('a1'), { time: 70, values: { cpu: 14, mem: 15, 'disk[/var]': 11 } })
      await s.ingestReports([r('a1', 8, 80, [['cpu', 16], ['mem', 17]])])
      assert.deepEqual(await s.latestMetrics('a1'), { time: 80, values: { cpu: 16, mem: 17, 'disk[/var]': 11 } })
      assert.deepEqual((await q('a1', 'mem', 55, 100)).map((p) => p.value), [13, 15, 17])
    })

    test('metric values round-trip exactly', async (t) => {
      const s = await storeWithAgents(t, b, ['a1'])
      const values = [-1.5, 0.1 + 0.2, 1e308, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 2, -123456789.000001, 1 / 3, 0]
      const metrics = values.map((value, i) => ({ name: `v.n${i}`, value }))
      await s.ingestReports([report('a1', 1, 10, 0, { metrics })])
      for (const [i, value] of values.entries()) {
        assert.deepEqual(await s.queryMetrics('a1', `v.n${i}`, 0, 100, 10), [{ time: 10, value }], `v.n${i}`)
      }
      assert.deepEqual(await s.latestMetrics('a1'), { time: 10, values: Object.fromEntries(metrics.map((m) => [m.name, m.value])) })
    })

    test('recentEvents returns the newest first, at most limit', async (t) => {
      const s = await storeWithAgents(t, b, ['a1'])
      const ev = (time: number) => ({ name: 'e', severity: 'info' as const, message: `at ${time}`, time })
      await s.ingestReports([report('a1', 1, 10, 0, { events: [ev(10), ev(20)] }), report('a1', 2, 30, 0, { events: [ev(30)] })])
      assert.deepEqual((await s.recentEvents('a1', 2)).map((e) => e.time), [30, 20])
      assert.deepEqual(await s.recentEvents('a2', 5), [])
    })

    test('a batch that fails halfway stores nothing', async (t) => {
      const s = await storeWithAgents(t, b, ['a1'])
      const ev = { name: 'e', severity: 'info' as const, message: 'm', time: 10 }
      // The middle report names an agent that does not exist: its receipt violates the foreign
      // key after the first report's rows were written in the same transaction.
      const batch = [report('a1', 1, 10, 40, { events: [ev] }), report('ghost', 1, 10, 40), report('a1', 2, 20, 40, { events: [ev] })]
      await assert.rejects(s.ingestReports(batch), { code: 'HUB_ERR_STORE' })
      assert.deepEqual(await s.queryMetrics('a1', 'm.v0', 0, 100, 10), [])
      assert.deepEqual(await s.recentEvents('a1', 10), [])
      assert.deepEqual(await s.latestMetrics('a1'), { time: null, values: {} })
      assert.equal((await s.getAgent('a1'))?.lastSeen, null)
      // The receipts were rolled back too: the same reports are accepted afterwards.
      await s.ingestReports([batch[0]!, batch[2]!])
      assert.equal((await s.queryMetrics('a1', 'm.v39', 0, 100, 10)).length, 2)
    })

    test('takeDeliverable hands out queued commands once, resends late ones, never expired ones', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2'])
      await s.createCommand(command('c2', 'a1', 200, 10_000))
      await s.createCommand(command('c1', 'a1', 100, 10_000))
      await s.createCommand(command('old', 'a1', 50, 1000))
      await s.createCommand(command('other', 'a2', 100, 10_000))
      const first = await s.takeDeliverable('a1', 1000, 0)
      assert.deepEqual(first.map((c) => [c.id, c.status, c.sentAt]), [['c1', 'sent', 1000], ['c2', 'sent', 1000]])
      assert.deepEqual(first[0]?.body, { type: 'report-now' })
      assert.deepEqual(await s.takeDeliverable('a1', 1500, 1000), [], 'sent at 1000 is not before 1000')
      assert.deepEqual((await s.takeDeliverable('a1', 2000, 1001)).map((c) => [c.id, c.sentAt]), [['c1', 2000], ['c2', 2000]])
      assert.deepEqual(await s.takeDeliverable('a1', 10_000, 10_000), [], 'expired at 10000')
      assert.equal((await s.getCommand('old'))?.status, 'queued')
      assert.equal((await s.getCommand('other'))?.status, 'queued')
      assert.equal(await s.getCommand('missing'), undefined)
    })

    test('nextDeliveryAt says when takeDeliverable could next hand out something, and changes nothing', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2'])
      assert.equal(await s.nextDeliveryAt('a1', 1000, 500), null, 'no commands')
      await s.createCommand(command('c1', 'a1', 100, 10_000))
      await s.createCommand(command('c2', 'a1', 200, 5000))
      await s.createCommand(command('other', 'a2', 100, 10_000))
      assert.equal(await s.nextDeliveryAt('a1', 1000, 500), 1000, 'queued: now')
      assert.equal((await s.getCommand('c1'))?.status, 'queued')
      await s.takeDeliverable('a1', 1000, 0)
      assert.equal(await s.nextDeliveryAt('a1', 1200, 500), 1501, 'sent at 1000: due once 500 ms passed')
      assert.deepEqual(await s.takeDeliverable('a1', 1500, 1000), [], 'not due at 1500')
      assert.equal((await s.takeDeliverable('a1', 1501, 1001)).length, 2, 'due at 1501')
      assert.equal(await s.nextDeliveryAt('a1', 6000, 500), 6000, 'c1 overdue, c2 expired')
      assert.equal(await s.nextDeliveryAt('a1', 10_000, 500), null, 'all expired')
      assert.equal(await s.nextDeliveryAt('a2', 10, 500), 10)
      assert.equal(await s.completeCommand(result('a2', 1, 'other')), true)
      assert.equal(await s.nextDeliveryAt('a2', 10, 500), null, 'finished')
    })

    test('completeCommand is bound to the command\'s agent and happens once', async (t) => {
      const s = await storeWithAgents(t, b, ['a1', 'a2'])
      await s.createCommand(command('c1', 'a1', 100, 10_000))
      await s.takeDeliverable('a1', 1000, 0)
      const before = await s.getCommand('c1')
      assert.equal(await s.completeCommand(result('a2', 1, 'c1')), false, 'wrong agent')
      assert.deepEqual(await s.getCommand('c1'), before)
      assert.equal(await s.completeCommand(result('a1', 1, 'nope')), false, 'unknown command')
      assert.equal(await s.completeCommand({ ...result('a1', 7, 'c1'), stderr: 'err', truncated: true }), true)
      const done = await s.getCommand('c1')
      assert.deepEqual([done?.status, done?.finishedAt, done?.exitCode, done?.stdout, done?.stderr, done?.truncated], ['completed', 5000, 0, 'out', 'err', true])
      assert.equal(await s.completeCommand(result('a1', 8, 'c1', 'second')), false, 'second result')
      assert.equal(await s.completeCommand(result('a1', 7, 'c1', 'replay')), false, 'replayed result')
      assert.deepEqual(await s.getCommand('c1'), done)
      assert.deepEqual(await s.takeDeliverable('a1', 2000, 2000), [])
      // The result's (agent, seq) is taken like a report's: a report with seq 7 is a duplicate.
      await s.ingestReports([report('a1', 7, 100)])
      assert.deepEqual(await s.queryMetrics('a1', 'm.v0', 0, 1000, 10), [])
    })

    test('failed results keep their error; expireCommands sweeps only open commands', async (t) => {
      const s = await storeWithAgents(t, b, ['a1'])
      for (const [id, exp] of [['c1', 1000], ['c2', 1000], ['c3', 5000], ['c4', 1000]] as const) await s.createCommand(command(id, 'a1', 10, exp))
      await s.takeDeliverable('a1', 500, 0)
      const error = { code: 'AGENT_ERR_POLICY', message: 'denied' }
      assert.equal(await s.completeCommand({ ...result('a1', 1, 'c4'), status: 'rejected', exitCode: null, error }), true)
      assert.equal(await s.expireCommands(1000), 2)
      assert.deepEqual(await Promise.all(['c1', 'c2', 'c3', 'c4'].map(async (id) => (await s.getCommand(id))?.status)), ['expired', 'expired', 'sent', 'rejected'])
      assert.deepEqual((await s.getCommand('c4'))?.error, error)
      assert.equal(await s.expireCommands(1000), 0)
    })

    test('audit is listed newest first and hash-chained', async (t) => {
      const s = await storeWithAgents(t, b)
      await Promise.all([1, 2, 3].map((i) => s.appendAudit({ time: i, actor: 'user:alice', action: 'command.create', target: `host:${i}`, result: 'ok', detail: { n: i } })))
      const list = await s.listAudit(10)
      assert.equal(list.length, 3)
      assert.deepEqual(list.map((e) => e.id), [...list.map((e) => e.id)].sort((x, y) => y - x))
      const oldestFirst = [...list].reverse()
      assert.equal(verifyAuditChain(oldestFirst), undefined)
      const tampered = oldestFirst.map((e, i) => (i === 1 ? { ...e, result: 'denied' } : e))
      assert.equal(verifyAuditChain(tampered), oldestFirst[1]?.id)
      assert.equal((await s.listAudit(1)).length, 1)
      assert.deepEqual(await s.listAuditAfter(0, 10), oldestFirst, 'paged oldest first')
      assert.deepEqual(await s.listAuditAfter(oldestFirst[0]?.id ?? 0, 1), [oldestFirst[1]])
    })

    test('migrate twice is harmless and keeps data', async (t) => {
      const s = await storeWithAgents(t, b, ['a1'])
      await s.migrate()
      await s.migrate()
      assert.equal((await s.getAgent('a1'))?.id, 'a1')
    })

    if (b.kind === 'postgres') {
      test('two hubs migrating one schema at once both succeed, and ingest the same batch once', async (t) => {
        const where = await b.location(t)
        const [s1, s2] = await Promise.all([open(t, where), open(t, where)])
        await enroll(s1, 'a1')
        const batch = [report('a1', 1, 10, 40), report('a1', 2, 20, 40)]
        await Promise.all([s1.ingestReports(batch), s2.ingestReports(batch)])
        assert.equal((await s2.queryMetrics('a1', 'm.v5', 0, 100, 10)).length, 2)
      })
    }
  })
}

describe('metric values the store cannot hold', () => {
  test('NaN and ±Infinity are refused by the protocol before they reach the store', () => {
    const message = (value: unknown) => ({ type: 'report', seq: 1, time: 1, metrics: [{ name: 'cpu.util_pct', value }] })
    assert.equal(validate(ReportMessage, message(1.5)).metrics?.[0]?.value, 1.5)
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assert.throws(() => validate(ReportMessage, message(value)), { code: 'PROTO_ERR_INVALID' }, String(value))
    }
    // JSON has no NaN or Infinity, but an overflowing literal parses to Infinity.
    assert.throws(() => parseJson(ReportMessage, '{"type":"report","seq":1,"time":1,"metrics":[{"name":"cpu.util_pct","value":1e999}]}'), { code: 'PROTO_ERR_INVALID' })
  })
})
