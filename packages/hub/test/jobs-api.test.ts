// The jobs API against a real hub with simulated agents: scheduling, expiry, cancel, roles,
// host-group scoping, validation, and the progress events on the console's live stream.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { enrollSimulatedAgent } from '@outpost/testkit'
import { api, enrollAgent, sendSigned, startHub, type HubFixture, type TestAgent } from './support/hub-fixture.ts'
import { call, createUser, login, openEvents } from './support/console-fixture.ts'
import { auditOf, createJob, hostStates, untilJob, type Job } from './support/jobs-fixture.ts'

const exec = { type: 'exec', argv: ['true'] }
const iso = (ms: number): string => new Date(ms).toISOString()

/** Takes the agent's instructions and answers each with `exitCode`. */
async function answerAll (f: HubFixture, agent: TestAgent, seq: number, exitCode = 0): Promise<string[]> {
  const poll = await sendSigned(f, agent, { type: 'poll', waitMs: 0 })
  const ids: string[] = poll.json.instructions.map((i: { id: string }) => i.id)
  for (const [n, id] of ids.entries()) {
    const r = await sendSigned(f, agent, { type: 'result', seq: seq + n, time: Date.now(), instructionId: id, outcome: 'completed', exitCode })
    assert.equal(r.status, 200, r.text)
  }
  return ids
}

test('a scheduled job does not start before runAt and starts after; results come per host', async (t) => {
  const f = await startHub(t)
  const a = await enrollAgent(f, 'a')
  const b = await enrollAgent(f, 'b')
  const runAt = Date.now() + 1500
  const job = await createJob(f, { target: { hostIds: [a.agentId, b.agentId] }, action: exec, runAt: iso(runAt) })
  assert.equal(job.state, 'scheduled')
  assert.deepEqual(Object.values(hostStates(job)), ['waiting', 'waiting'])
  assert.ok(job.hosts.every(h => h.commandId === null))
  assert.deepEqual((await sendSigned(f, a, { type: 'poll', waitMs: 0 })).json.instructions, [], 'nothing is queued before runAt')

  const started = await untilJob(f, job.id, j => j.state === 'running', 'the job to start')
  assert.deepEqual(Object.values(hostStates(started)), ['queued', 'queued'])
  const [start] = await auditOf(f, 'job.start')
  assert.equal(start?.target, `job:${job.id}`)
  assert.ok(Date.parse(start.time) >= runAt, `started at ${start.time}, runAt ${iso(runAt)}`)

  assert.equal((await answerAll(f, a, 1, 0)).length, 1)
  assert.equal((await answerAll(f, b, 1, 3)).length, 1)
  const done = await untilJob(f, job.id, j => j.state === 'finished', 'the job to finish')
  assert.deepEqual(done.hosts.map(h => [h.hostId, h.state, h.exitCode]).sort(), [[a.agentId, 'completed', 0], [b.agentId, 'completed', 3]].sort())
  const list = await api(f, '/jobs')
  assert.deepEqual(list.json.map((j: Job) => [j.id, j.state]), [[job.id, 'finished']])
})

test('an offline host is left expired when the job expires; the online one completed', async (t) => {
  const f = await startHub(t)
  const on = await enrollAgent(f, 'on')
  const off = await enrollAgent(f, 'off')
  const job = await createJob(f, { target: { hostIds: [on.agentId, off.agentId] }, action: exec, expiresAt: iso(Date.now() + 2000) })
  await untilJob(f, job.id, j => j.state === 'running', 'the job to start')
  await answerAll(f, on, 1)
  const done = await untilJob(f, job.id, j => j.state === 'finished', 'the job to end')
  assert.deepEqual(hostStates(done), { [on.agentId]: 'completed', [off.agentId]: 'expired' })
  assert.equal(done.counts.expired, 1)
  assert.deepEqual((await sendSigned(f, off, { type: 'poll', waitMs: 0 })).json.instructions, [], 'an expired job is not delivered late')
})

test('cancel: a scheduled job never starts; a running one cancels what was not sent; a finished one answers 409', async (t) => {
  const f = await startHub(t)
  const a = await enrollAgent(f, 'a')
  const b = await enrollAgent(f, 'b')
  const first = await createJob(f, { target: { hostIds: [a.agentId] }, action: exec, runAt: iso(Date.now() + 800) })
  const cancelled = await api(f, `/jobs/${first.id}/cancel`, { method: 'POST' })
  assert.equal(cancelled.status, 200, cancelled.text)
  assert.equal(cancelled.json.state, 'cancelled')
  assert.deepEqual(Object.values(hostStates(cancelled.json)), ['cancelled'])
  // A later job starting proves the scheduler went past the first one's runAt.
  const second = await createJob(f, { target: { hostIds: [b.agentId] }, action: exec, runAt: iso(Date.now() + 1200) })
  await untilJob(f, second.id, j => j.state === 'running', 'the second job to start')
  const still = (await api(f, `/jobs/${first.id}`)).json as Job
  assert.equal(still.state, 'cancelled')
  assert.equal(still.hosts[0]?.commandId, null, 'no command was made for it')
  assert.deepEqual((await sendSigned(f, a, { type: 'poll', waitMs: 0 })).json.instructions, [])

  const running = await createJob(f, { target: { hostIds: [a.agentId, b.agentId] }, action: exec })
  await untilJob(f, running.id, j => j.hosts.every(h => h.state === 'queued'), 'the job to queue')
  await sendSigned(f, b, { type: 'poll', waitMs: 0 }) // b takes both of its commands
  const stop = await api(f, `/jobs/${running.id}/cancel`, { method: 'POST' })
  assert.equal(stop.status, 200, stop.text)
  assert.equal(stop.json.state, 'cancelled')
  assert.deepEqual(hostStates(stop.json), { [a.agentId]: 'cancelled', [b.agentId]: 'sent' }, 'a command already sent cannot be recalled')
  assert.deepEqual((await sendSigned(f, a, { type: 'poll', waitMs: 0 })).json.instructions, [], 'the cancelled command is never delivered')
  const again = await api(f, `/jobs/${running.id}/cancel`, { method: 'POST' })
  assert.equal(again.status, 409)
  assert.equal(again.json.error.code, 'HUB_ERR_CONFLICT')
  assert.deepEqual((await auditOf(f, 'job.cancel')).map(e => e.result).sort(), ['HUB_ERR_CONFLICT', 'ok', 'ok'])
})

test('a viewer cannot create or cancel; invalid bodies get 400 and create nothing', async (t) => {
  const f = await startHub(t)
  const a = await enrollAgent(f, 'a')
  const viewer = await f.hub.createApiToken({ name: 'v', role: 'viewer' })
  const refused = await api(f, '/jobs', { method: 'POST', token: viewer, body: { name: 'x', target: { hostIds: [a.agentId] }, action: exec } })
  assert.equal(refused.status, 403, refused.text)
  assert.equal(refused.json.error.code, 'HUB_ERR_FORBIDDEN')
  const bad: Array<[unknown, RegExp]> = [
    [{ name: 'x', target: {}, action: exec }, /target names no host/],
    [{ name: 'x', target: { hostIds: [], groups: [] }, action: exec }, /target names no host/],
    [{ name: 'x', target: { hostIds: [a.agentId] }, action: { type: 'exec', argv: [] } }, /"\/action"/],
    [{ name: 'x', target: { hostIds: [a.agentId] }, action: { type: 'exec', argv: 'ls -l' } }, /"\/action"/],
    [{ name: 'x', target: { hostIds: [a.agentId] }, action: exec, runAt: '2001-01-01T00:00:00Z' }, /runAt is in the past/],
    [{ name: 'x', target: { hostIds: [a.agentId] }, action: exec, runAt: 'tomorrow' }, /runAt/],
    [{ name: 'x', target: { hostIds: [a.agentId] }, action: exec, expiresAt: iso(Date.now() - 1000) }, /expiresAt must be after/],
    [{ name: 'x', target: { hostIds: [a.agentId] }, action: { type: 'file', path: 'relative', contentBase64: '' } }, /"\/action"/],
    [{ name: ' ', target: { hostIds: [a.agentId] }, action: exec }, /name is blank/],
    [{ name: 'x', target: { hostIds: [a.agentId] }, action: exec, extra: 1 }, /./],
    [{ name: 'x', target: { groups: ['nobody-here'] }, action: exec }, /matches no host/]
  ]
  for (const [body, message] of bad) {
    const res = await api(f, '/jobs', { method: 'POST', body })
    assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`)
    // Schema failures name the field in `details`; the hub's own checks say it in the message.
    assert.match(`${res.json.error.message} ${JSON.stringify(res.json.error.details ?? '')}`, message, res.text)
  }
  const unknown = await api(f, '/jobs', { method: 'POST', body: { name: 'x', target: { hostIds: [a.agentId, 'nosuchhost'] }, action: exec } })
  assert.equal(unknown.status, 404)
  assert.deepEqual(unknown.json, { error: { code: 'HUB_ERR_NOT_FOUND', message: 'no such host' } })
  assert.deepEqual((await api(f, '/jobs')).json, [], 'nothing was created')
  assert.deepEqual((await sendSigned(f, a, { type: 'poll', waitMs: 0 })).json.instructions, [])

  const job = await createJob(f, { target: { hostIds: [a.agentId] }, action: exec, runAt: iso(Date.now() + 60_000) })
  assert.equal((await api(f, `/jobs/${job.id}`, { token: viewer })).status, 200, 'a viewer reads jobs')
  assert.equal((await api(f, `/jobs/${job.id}/cancel`, { method: 'POST', token: viewer })).status, 403)
  assert.equal((await api(f, '/jobs/nosuchjob')).status, 404)
})

test('an operator scoped to group web cannot target, see or cancel db hosts; jobs by group reach its members', async (t) => {
  const f = await startHub(t)
  const web1 = await enrollSimulatedAgent(f.url, await f.enrollToken('web'), 'web-1')
  const web2 = await enrollSimulatedAgent(f.url, await f.enrollToken('web'), 'web-2')
  const db = await enrollSimulatedAgent(f.url, await f.enrollToken('db'), 'db-1')
  await createUser(f, 'webop', 'operator', { groups: ['web'] })
  const webop = await login(f, 'webop')
  const as = (method: string, p: string, body?: unknown) => call(f, method, `/api/v1${p}`, { browser: webop, ...(body === undefined ? {} : { body }) })

  const outOfScope = await as('POST', '/jobs', { name: 'x', target: { hostIds: [web1.agentId, db.agentId] }, action: exec })
  const missing = await as('POST', '/jobs', { name: 'x', target: { hostIds: [web1.agentId, 'nosuchhost'] }, action: exec })
  assert.equal(outOfScope.status, 404)
  assert.deepEqual(outOfScope.json, missing.json, 'out of scope answers exactly like missing')
  const group = await as('POST', '/jobs', { name: 'x', target: { groups: ['db'] }, action: exec })
  assert.equal(group.status, 403)
  assert.equal(group.json.error.code, 'HUB_ERR_FORBIDDEN')
  assert.deepEqual((await api(f, '/jobs')).json, [], 'nothing was created')
  const denied = (await auditOf(f, 'api.access')).filter(e => e.result === 'denied')
  assert.ok(denied.some(e => e.target === `host:${db.agentId}` && e.actor === 'user:webop'))
  assert.ok(denied.some(e => e.target === 'group:db'))

  const mine = await as('POST', '/jobs', { name: 'web', target: { groups: ['web'] }, action: exec, runAt: iso(Date.now() + 60_000) })
  assert.equal(mine.status, 201, mine.text)
  assert.deepEqual(mine.json.hosts.map((h: { hostId: string }) => h.hostId).sort(), [web1.agentId, web2.agentId].sort())
  const wide = await createJob(f, { target: { groups: ['web', 'db'] }, action: exec, runAt: iso(Date.now() + 60_000) })
  assert.equal(wide.counts.total, 3)
  assert.deepEqual((await as('GET', '/jobs')).json.map((j: Job) => j.id), [mine.json.id], 'a job with a db host is not listed')
  assert.equal((await api(f, '/jobs')).json.length, 2, 'the admin token sees both')
  const hidden = await as('GET', `/jobs/${wide.id}`)
  const none = await as('GET', '/jobs/nosuchjob')
  assert.equal(hidden.status, 404)
  assert.deepEqual(hidden.json, none.json)
  assert.equal((await as('POST', `/jobs/${wide.id}/cancel`)).status, 404)
  assert.equal((await api(f, `/jobs/${wide.id}`)).json.state, 'scheduled', 'not cancelled')
})

test('progress reaches the console as live job events, scoped like the API', async (t) => {
  const f = await startHub(t)
  const web = await enrollSimulatedAgent(f.url, await f.enrollToken('web'), 'web-1')
  const db = await enrollSimulatedAgent(f.url, await f.enrollToken('db'), 'db-1')
  await createUser(f, 'webop', 'operator', { groups: ['web'] })
  const all = await openEvents(t, f, { bearer: f.adminToken })
  const scoped = await openEvents(t, f, { browser: await login(f, 'webop') })
  const wide = await createJob(f, { target: { hostIds: [web.agentId, db.agentId] }, action: exec })
  const narrow = await createJob(f, { target: { hostIds: [web.agentId] }, action: exec })
  await untilJob(f, narrow.id, j => j.state === 'running', 'the job to start')
  await all.next(e => e.event === 'job' && e.data.job.id === wide.id, 'the wide job, seen by the admin')
  const [commandId] = await answerAll(f, web, 1, 5)
  assert.ok(commandId !== undefined)
  const done = await all.next(e => e.event === 'job' && e.data.hosts.some((h: { hostId: string, state: string }) => h.hostId === web.agentId && h.state === 'completed'), 'a completed host')
  assert.equal(done.data.hosts.find((h: { hostId: string }) => h.hostId === web.agentId).exitCode, 5)
  // Events come in bus order: once webop's stream shows this marker job, any event about the wide job came before it.
  const marker = await createJob(f, { target: { hostIds: [web.agentId] }, action: exec, runAt: iso(Date.now() + 60_000) })
  await api(f, `/jobs/${marker.id}/cancel`, { method: 'POST' })
  const seen: Array<{ id: string, state: string }> = []
  while (seen.at(-1)?.id !== marker.id) {
    const e = await scoped.next(x => x.event === 'job', 'job events for webop')
    seen.push({ id: e.data.job.id, state: e.data.job.state })
  }
  assert.ok(seen.some(x => x.id === narrow.id && x.state === 'finished'), JSON.stringify(seen))
  assert.ok(!seen.some(x => x.id === wide.id), 'the job with a db host never reached webop')
})

test('a file job becomes one file-write per host; the audit log keeps its size and hash, not its content', async (t) => {
  const f = await startHub(t)
  const a = await enrollAgent(f, 'a')
  const content = Buffer.from('secret=hunter2\n')
  const job = await createJob(f, { target: { hostIds: [a.agentId] }, action: { type: 'file', path: '/etc/app.conf', contentBase64: content.toString('base64'), mode: '0600' } })
  assert.equal(job.state === 'scheduled' || job.state === 'running', true)
  await untilJob(f, job.id, j => j.hosts[0]?.state === 'queued', 'the file job to queue')
  const poll = await sendSigned(f, a, { type: 'poll', waitMs: 0 })
  assert.deepEqual(poll.json.instructions[0].body, { type: 'file-write', path: '/etc/app.conf', contentBase64: content.toString('base64'), mode: '0600' })
  const logged = JSON.stringify([...await auditOf(f, 'job.create'), ...await auditOf(f, 'command.create')])
  assert.ok(!logged.includes(content.toString('base64')) && !logged.includes('hunter2'), logged)
  const created = (await auditOf(f, 'job.create'))[0]
  assert.deepEqual(created?.detail.action, { type: 'file', path: '/etc/app.conf', mode: '0600', size: content.length, sha256: (await import('node:crypto')).createHash('sha256').update(content).digest('hex') })
})

test('a job may carry a file of the full 1 MiB; one byte more is refused with 400', async (t) => {
  const f = await startHub(t)
  const a = await enrollAgent(f, 'a')
  const body = (n: number) => ({ name: 'big', target: { hostIds: [a.agentId] }, action: { type: 'file', path: '/tmp/big', contentBase64: Buffer.alloc(n, 7).toString('base64') }, runAt: iso(Date.now() + 60_000) })
  const ok = await api(f, '/jobs', { method: 'POST', body: body(1024 * 1024) })
  assert.equal(ok.status, 201, ok.text.slice(0, 300))
  const big = await api(f, '/jobs', { method: 'POST', body: body(1024 * 1024 + 1) })
  assert.equal(big.status, 400, big.text.slice(0, 300))
  assert.equal((await api(f, '/jobs')).json.length, 1)
})
