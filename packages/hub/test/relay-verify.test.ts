// POST /agent/v1/relay/verify: a relay (an enrolled agent) asks the hub whether a downstream CONNECT is genuine.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  HubPath, decodeEnrollToken, enrollRelaySignature, generateSigningKeyPair, randomId, signRelayConnect, type RelayVerifyRequest
} from '@outpost/protocol'
import { agentHeaders, enrollAgent, request, startHub, type HubFixture, type TestAgent } from './support/hub-fixture.ts'

const TARGET = 'hub.example:8443'

function ask (f: HubFixture, relay: TestAgent, req: RelayVerifyRequest | string, headers?: Record<string, string>): ReturnType<typeof request> {
  const body = typeof req === 'string' ? req : JSON.stringify(req)
  return request(f.url, { method: 'POST', path: HubPath.AgentRelayVerify, headers: headers ?? agentHeaders(relay, body, { path: HubPath.AgentRelayVerify }), body })
}

function signedBy (agentId: string, privateKey: Parameters<typeof signRelayConnect>[0], over: Partial<RelayVerifyRequest> = {}): RelayVerifyRequest {
  const base = { target: TARGET, agentId, time: String(Date.now()), nonce: randomId(16), path: '', ...over }
  return { ...base, signature: signRelayConnect(privateKey, base) }
}

test('the hub confirms a genuine downstream signature and refuses forged, unknown, stale and looping ones', async (t) => {
  const f = await startHub(t)
  const relay = await enrollAgent(f, 'gateway')
  const leaf = await enrollAgent(f, 'leaf')
  const ok = await ask(f, relay, signedBy(leaf.agentId, leaf.keys.privateKey))
  assert.equal(ok.status, 200, ok.text)
  assert.deepEqual(ok.json, { ok: true, publicKey: leaf.keys.publicKey })

  const forged = await ask(f, relay, signedBy(leaf.agentId, generateSigningKeyPair().privateKey))
  assert.deepEqual(forged.json, { ok: false, reason: 'signature does not verify' })
  const altered = { ...signedBy(leaf.agentId, leaf.keys.privateKey), target: 'evil.example:443' }
  assert.equal((await ask(f, relay, altered)).json.ok, false, 'the signature covers the target')
  const unknown = await ask(f, relay, signedBy('nobody-000000001', generateSigningKeyPair().privateKey))
  assert.deepEqual(unknown.json, { ok: false, reason: 'unknown agent' })
  const stale = await ask(f, relay, signedBy(leaf.agentId, leaf.keys.privateKey, { time: String(Date.now() - 3600_000) }))
  assert.equal(stale.json.ok, false)
  const loop = await ask(f, relay, signedBy(leaf.agentId, leaf.keys.privateKey, { path: `${leaf.agentId},${relay.agentId}` }))
  assert.equal(loop.json.ok, false)
})

test('only an enrolled agent may ask, with a valid request signature', async (t) => {
  const f = await startHub(t)
  const relay = await enrollAgent(f, 'gateway')
  const leaf = await enrollAgent(f, 'leaf')
  const req = signedBy(leaf.agentId, leaf.keys.privateKey)
  const unsigned = await ask(f, relay, req, { 'content-type': 'application/json', 'x-outpost-protocol': '1' })
  assert.equal(unsigned.status, 401)
  const stranger = { agentId: 'stranger-0000001', keys: generateSigningKeyPair(), hubKey: relay.hubKey }
  assert.equal((await ask(f, stranger, req)).status, 401)
  const body = JSON.stringify(req)
  const headers = agentHeaders(relay, body, { path: HubPath.AgentRelayVerify })
  assert.equal((await ask(f, relay, body, headers)).status, 200)
  const replay = await ask(f, relay, body, headers)
  assert.equal(replay.json.error.code, 'HUB_ERR_REPLAY', 'a replayed verify request is refused')
  assert.equal((await ask(f, relay, '{"target":1}')).status, 400)
})

test('an enrollment CONNECT is confirmed only with the token secret and while the token is unused', async (t) => {
  const f = await startHub(t)
  const relay = await enrollAgent(f, 'gateway')
  const token = await f.enrollToken()
  const { id, secret } = decodeEnrollToken(token)
  const forToken = (s: string): RelayVerifyRequest => {
    const base = { target: TARGET, agentId: `enroll:${id}`, time: String(Date.now()), nonce: randomId(16), path: '' }
    return { ...base, signature: enrollRelaySignature(s, base) }
  }
  assert.deepEqual((await ask(f, relay, forToken(secret))).json, { ok: true })
  assert.equal((await ask(f, relay, forToken('not-the-secret'))).json.ok, false)
  const unknownToken = { ...forToken(secret), agentId: 'enroll:nosuchtoken0' }
  assert.equal((await ask(f, relay, unknownToken)).json.ok, false)
  await enrollAgent({ ...f, enrollToken: async () => token }, 'uses-it')
  assert.deepEqual((await ask(f, relay, forToken(secret))).json, { ok: false, reason: 'enrollment token unknown, expired or used' })
})
