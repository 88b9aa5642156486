import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AgentHeader, HubPath, MAX_CLOCK_SKEW_MS, isValid, ErrorEnvelope, ReplyMessage } from '@outpost/protocol'
import { startHub, enrollAgent, sendSigned, request, agentHeaders, api, report, type HubFixture, type TestAgent } from './support/hub-fixture.ts'

async function points (f: HubFixture, agent: TestAgent): Promise<number> {
  const res = await api(f, `/hosts/${agent.agentId}/metrics?name=cpu.util_pct&from=0`)
  assert.equal(res.status, 200, res.text)
  return res.json.points.length
}

function assertEnvelope (res: { json: unknown }, code: string): void {
  assert.ok(isValid(ErrorEnvelope, res.json), JSON.stringify(res.json))
  assert.equal((res.json as { error: { code: string } }).error.code, code)
}

test('a report is accepted, and stored once when sent twice', async (t) => {
  const f = await startHub(t)
  const agent = await enrollAgent(f)
  for (let i = 0; i < 2; i++) {
    const res = await sendSigned(f, agent, report(1))
    assert.equal(res.status, 200, res.text)
    assert.ok(isValid(ReplyMessage, res.json))
    assert.deepEqual(res.json.accepted, [1])
  }
  assert.equal(await points(f, agent), 1)
  const host = await api(f, `/hosts/${agent.agentId}`)
  assert.equal(host.json.status, 'online')
  assert.equal(host.json.metrics['cpu.util_pct'], 1.5)
})

test('forged, replayed, stale and wrong-version requests are refused and store nothing', async (t) => {
  const f = await startHub(t)
  const agent = await enrollAgent(f)
  const other = await enrollAgent(f, 'web-2')
  const body = JSON.stringify(report(1))

  // Signed by another agent's key but claiming this agent's id.
  const forgedHeaders = { ...agentHeaders(other, body), [AgentHeader.AgentId]: agent.agentId }
  const forged = await request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers: forgedHeaders, body })
  assert.equal(forged.status, 401)
  assertEnvelope(forged, 'HUB_ERR_UNAUTHENTICATED')

  // The body changed after signing.
  const tampered = await request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers: agentHeaders(agent, body), body: JSON.stringify(report(1, 99)) })
  assert.equal(tampered.status, 401)

  const stale = await request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers: agentHeaders(agent, body, { now: Date.now() - MAX_CLOCK_SKEW_MS - 60_000 }), body })
  assert.equal(stale.status, 401)
  assertEnvelope(stale, 'HUB_ERR_CLOCK_SKEW')

  const version = await request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers: { ...agentHeaders(agent, body), [AgentHeader.Protocol]: '99' }, body })
  assert.equal(version.status, 400)
  assertEnvelope(version, 'PROTO_ERR_VERSION')
  assert.equal(await points(f, agent), 0)

  const headers = agentHeaders(agent, body)
  const first = await request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers, body })
  assert.equal(first.status, 200)
  const replay = await request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers, body })
  assert.equal(replay.status, 401)
  assertEnvelope(replay, 'HUB_ERR_REPLAY')
  assert.equal(await points(f, agent), 1)
})

test('malformed JSON, schema-invalid and oversized bodies get 400/413 envelopes and store nothing', async (t) => {
  const f = await startHub(t, { limits: { agentBodyBytes: 4096 } })
  const agent = await enrollAgent(f)

  const malformed = await sendSigned(f, agent, '{"type":"report",')
  assert.equal(malformed.status, 400)
  assertEnvelope(malformed, 'PROTO_ERR_INVALID')

  const invalid = await sendSigned(f, agent, { type: 'report', seq: 0, time: 1, metrics: [{ name: 'Bad Name', value: 'x' }] })
  assert.equal(invalid.status, 400)
  assertEnvelope(invalid, 'PROTO_ERR_INVALID')
  assert.ok(Array.isArray(invalid.json.error.details))

  const big = { ...report(1), metrics: Array.from({ length: 200 }, (_, i) => ({ name: `cpu.core_${i}`, value: i })) }
  const oversized = await sendSigned(f, agent, big)
  assert.equal(oversized.status, 413)
  assertEnvelope(oversized, 'PROTO_ERR_TOO_LARGE')

  assert.equal(await points(f, agent), 0)
  const host = await api(f, `/hosts/${agent.agentId}`)
  assert.deepEqual(host.json.metrics, {})
})

test('503 with Retry-After when more reports wait than the ingest limit allows', async (t) => {
  const f = await startHub(t, { limits: { ingestMaxPending: 1 } })
  const agent = await enrollAgent(f)
  const res = await sendSigned(f, agent, { type: 'batch', messages: [report(1), report(2)] })
  assert.equal(res.status, 503)
  assertEnvelope(res, 'HUB_ERR_OVERLOADED')
  assert.ok(Number(res.headers['retry-after']) > 0)
  assert.equal(await points(f, agent), 0)
  // One report fits, and is committed before the answer.
  const one = await sendSigned(f, agent, report(3))
  assert.equal(one.status, 200)
  assert.deepEqual(one.json.accepted, [3])
  assert.equal(await points(f, agent), 1)
})

test('a batch from many agents at once is committed and acknowledged for each', async (t) => {
  const f = await startHub(t, { limits: { ingestMaxDelayMs: 5 } })
  const agents = await Promise.all([1, 2, 3, 4].map(i => enrollAgent(f, `host-${i}`)))
  const answers = await Promise.all(agents.map(a => sendSigned(f, a, { type: 'batch', messages: [report(1), report(2), report(3)] })))
  for (const a of answers) assert.deepEqual(a.json.accepted, [1, 2, 3])
  for (const a of agents) assert.equal(await points(f, a), 3)
})
