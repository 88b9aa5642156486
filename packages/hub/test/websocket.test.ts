import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { WebSocket } from 'ws'
import { HubPath, PROTOCOL_VERSION, signBytes, wsAuthSigningString, generateSigningKeyPair, verifyInstructionSignature } from '@outpost/protocol'
import { startHub, enrollAgent, api, report, type HubFixture, type TestAgent } from './support/hub-fixture.ts'

/** A WebSocket whose frames are queued as parsed JSON, so that tests await them in order. */
async function connect (t: { after: (f: () => void) => void }, f: HubFixture): Promise<{ ws: WebSocket, next: () => Promise<any> }> {
  const ws = new WebSocket(f.url.replace('https:', 'wss:') + HubPath.AgentWebSocket, { rejectUnauthorized: false })
  t.after(() => { ws.terminate() })
  const frames: unknown[] = []
  const waiters: Array<(v: unknown) => void> = []
  ws.on('message', (data) => {
    const v = JSON.parse(String(data))
    const w = waiters.shift()
    if (w !== undefined) w(v)
    else frames.push(v)
  })
  await once(ws, 'open')
  const next = (): Promise<any> => frames.length > 0 ? Promise.resolve(frames.shift()) : new Promise(resolve => waiters.push(resolve))
  return { ws, next }
}

function authFrame (agent: TestAgent, challenge: string, keys = agent.keys): string {
  const time = String(Date.now())
  return JSON.stringify({ type: 'auth', agentId: agent.agentId, time, signature: signBytes(keys.privateKey, wsAuthSigningString(challenge, agent.agentId, time)), protocolVersion: PROTOCOL_VERSION, capabilities: ['ws'] })
}

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
