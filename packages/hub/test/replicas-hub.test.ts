// Two hub replicas on one PostgreSQL schema and the real NATS bus (127.0.0.1:4222, a random subject
// prefix per test), sharing one TLS certificate: an alert fired by reports that reach both replicas
// notifies once, and a job scheduled for later starts once.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { HubPath } from '@outpost/protocol'
import { agentHeaders, api, enrollSimulatedAgent, request, startHub, startPostgres, startSmtpSink, type SimulatedAgent, type SmtpSink, type TestHub } from '@outpost/testkit'
import { auditOf, createJob, untilJob } from './support/jobs-fixture.ts'
import { createUser, tryLogin } from './support/console-fixture.ts'
import { LOGIN_BURST } from '../src/auth/login-throttle.ts'

const NATS_URL = 'nats://127.0.0.1:4222'

async function replicas (t: TestContext, sink: SmtpSink): Promise<[TestHub, TestHub]> {
  const pg = await startPostgres()
  t.after(() => pg.cleanup())
  const config = {
    store: { kind: 'postgres' as const, url: pg.url, schema: pg.schema },
    bus: NATS_URL,
    busPrefix: `t${randomBytes(6).toString('hex')}`,
    notify: { smtp: { url: sink.url, from: 'hub@example.test', tlsInsecure: false } }
  }
  const a = await startHub({ config })
  t.after(() => a.cleanup())
  const tls = { certFile: path.join(a.dataDir, 'tls/hub-cert.pem'), keyFile: path.join(a.dataDir, 'tls/hub-key.pem') }
  const b = await startHub({ config: { ...config, tls } })
  t.after(() => b.cleanup())
  assert.equal(b.fingerprint, a.fingerprint, 'one certificate for both replicas')
  return [a, b]
}

async function report (hub: TestHub, agent: SimulatedAgent, seq: number, metrics: Array<{ name: string, value: number }>): Promise<void> {
  const body = JSON.stringify({ type: 'report', seq, time: Date.now(), metrics, events: [] })
  const res = await request(hub.url, { method: 'POST', path: HubPath.AgentMessages, headers: agentHeaders(agent, body), body })
  assert.equal(res.status, 200, res.text)
}

test('an alert whose reports reach both replicas fires and notifies exactly once', { timeout: 60_000 }, async (t) => {
  const sink = await startSmtpSink()
  t.after(() => sink.cleanup())
  const [a, b] = await replicas(t, sink)
  const rule = await api(b.url, b.adminToken, '/alert-rules', {
    method: 'POST',
    body: { name: 'disk full', enabled: true, severity: 'critical', scope: { type: 'all' }, condition: { type: 'metric-threshold', metric: 'fs.used_pct[*]', op: '>=', value: 90, forMs: 0 }, notify: { emails: ['ops@example.test'], webhooks: [] }, repeatIntervalMs: 0 }
  })
  assert.equal(rule.status, 201, rule.text)
  const agent = await enrollSimulatedAgent(a.url, await a.enrollToken(), 'web-1')
  await report(a, agent, 1, [{ name: 'fs.used_pct[/var]', value: 95 }])
  await sink.waitForMessage(m => m.subject?.includes('fs.used_pct[/var]') === true, 30_000)
  // The same condition seen by the other replica's engine, then an alert of another host as a
  // marker: once its mail is in, anything the first alert would still send has had its chance.
  await report(b, agent, 2, [{ name: 'fs.used_pct[/var]', value: 96 }])
  await report(a, agent, 3, [{ name: 'fs.used_pct[/var]', value: 97 }])
  await report(b, agent, 4, [{ name: 'fs.used_pct[/var]', value: 98 }])
  const marker = await enrollSimulatedAgent(b.url, await b.enrollToken(), 'web-2')
  await report(b, marker, 1, [{ name: 'fs.used_pct[/var]', value: 99 }])
  await sink.waitForMessage(m => m.subject?.includes('web-2') === true, 30_000)
  const first = sink.messages.filter(m => m.subject?.includes('web-1') === true)
  assert.equal(first.length, 1, `one mail for the alert, got: ${JSON.stringify(sink.messages.map(m => m.subject))}`)
  const open = await api(a.url, a.adminToken, `/alerts?state=open&hostId=${agent.agentId}`)
  const ours = (open.json as Array<{ ruleId: string }>).filter(x => x.ruleId === rule.json.id)
  assert.equal(ours.length, 1, `one open alert of the rule: ${open.text}`)
})

test('a job scheduled for later starts once on two replicas joined by NATS', { timeout: 60_000 }, async (t) => {
  const sink = await startSmtpSink()
  t.after(() => sink.cleanup())
  const [a, b] = await replicas(t, sink)
  const hosts: string[] = []
  for (let i = 0; i < 4; i++) hosts.push((await enrollSimulatedAgent(a.url, await (i % 2 === 0 ? a : b).enrollToken(), `h${i}`)).agentId)
  const job = await createJob(a, { target: { hostIds: hosts }, action: { type: 'exec', argv: ['true'] }, runAt: new Date(Date.now() + 1500).toISOString() })
  const started = await untilJob(b, job.id, j => j.hosts.every(h => h.state === 'queued'), 'every host to be queued')
  assert.equal(started.state, 'running')
  assert.equal((await auditOf(b, 'job.start')).filter(e => e.target === `job:${job.id}`).length, 1, 'started once')
  const commands = (await auditOf(a, 'command.create')).map(e => e.target).sort()
  assert.deepEqual(commands, hosts.map(h => `host:${h}`).sort(), 'one command per host')
})

test('login throttles count the attempts every replica sees: an address gets one burst, an unknown name locks like a real one', { timeout: 60_000 }, async (t) => {
  const sink = await startSmtpSink()
  t.after(() => sink.cleanup())
  const [a, b] = await replicas(t, sink)
  await createUser(a, 'alice', 'viewer')
  const failures = async (name: string): Promise<number[]> => {
    const statuses: number[] = []
    // Alternating replicas, as a load balancer would spread them.
    for (let i = 0; i < 5; i++) statuses.push((await tryLogin(i % 2 === 0 ? a : b, name, 'wrong password')).status)
    return statuses
  }
  // A real user's failures are counted in the store; an unknown name's must lock after as many.
  const real = await failures('alice')
  const unknown = await failures('ghost')
  assert.deepEqual(real, [401, 401, 401, 401, 429])
  assert.deepEqual(unknown, real, 'an unknown name locks after the same number of failures across replicas')
  // The address has used 10 attempts, 5 on each replica: its burst is spent on both.
  assert.equal(LOGIN_BURST, 10)
  for (const hub of [a, b]) {
    const next = await tryLogin(hub, 'someone', 'x')
    assert.equal(next.status, 429, next.text)
    assert.equal(next.json.error.code, 'HUB_ERR_THROTTLED')
  }
})
