import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { WebSocket } from 'ws'
import { generateSigningKeyPair, verifyInstructionSignature } from '@outpost/protocol'
import { startHub, enrollAgent, api, report } from './support/hub-fixture.ts'
import { authFrame, openAgentSocket } from './support/agent-ws-client.ts'

const connect = openAgentSocket

test('WebSocket: challenge, signed auth, reports acknowledged, instructions pushed', async (t) => {
  const f = await startHub(t)
  const agent = await enrollAgent(f)
  const { ws, next } = await connect(t, f)
  const challenge = await next()
  assert.equal(challenge.type, 'challenge')
  ws.send(authFrame(agent, challenge.challenge))
  assert.equal((await next()).type, 'welcome')

  ws.send(JSON.stringify(report(7)))
  const ack = await next()
  assert.equal(ack.type, 'reply')
  assert.deepEqual(ack.accepted, [7])

  ws.send('{"type":"poll","waitMs":10}')
  const refused = await next()
  assert.equal(refused.type, 'error')
  assert.equal(refused.error.code, 'PROTO_ERR_INVALID')

  const created = await api(f, `/hosts/${agent.agentId}/commands`, { method: 'POST', body: { type: 'report-items', names: ['inventory'] } })
  assert.equal(created.status, 201)
  const pushed = await next()
  assert.equal(pushed.type, 'reply')
  assert.equal(pushed.instructions[0].id, created.json.id)
  assert.ok(verifyInstructionSignature(agent.hubKey, pushed.instructions[0]))
})

test('WebSocket: a wrong signature gets an error frame and a policy close', async (t) => {
  const f = await startHub(t)
  const agent = await enrollAgent(f)
  const { ws, next } = await connect(t, f)
  const challenge = await next()
  const closed = once(ws, 'close')
  ws.send(authFrame(agent, challenge.challenge, generateSigningKeyPair()))
  const err = await next()
  assert.equal(err.type, 'error')
  assert.equal(err.error.code, 'HUB_ERR_UNAUTHENTICATED')
  const [code] = await closed
  assert.equal(code, 1008)
})

test('WebSocket: an unauthenticated socket is closed after the auth time-out', async (t) => {
  const f = await startHub(t, {}, { wsTiming: { authTimeoutMs: 50, heartbeatMs: 30_000 } })
  const { ws, next } = await connect(t, f)
  assert.equal((await next()).type, 'challenge')
  const [code] = await once(ws, 'close')
  assert.equal(code, 1008)
})
