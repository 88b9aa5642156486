import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HubPath, generateSigningKeyPair, isValid, EnrolledMessage, ErrorEnvelope, decodeEnrollToken } from '@outpost/protocol'
import { startHub, enrollBody, postJson, enrollAgent } from './support/hub-fixture.ts'

test('enrollment: a good token enrolls once; reuse, expiry and a bad proof are refused', async (t) => {
  const f = await startHub(t)
  const token = await f.hub.createEnrollToken({ ttlMs: 60_000, group: 'web', createdBy: 'test' })
  const decoded = decodeEnrollToken(token)
  assert.equal(decoded.fingerprint, f.hub.fingerprint)
  assert.equal(decoded.url, f.hub.publicUrl)

  const keys = generateSigningKeyPair()
  const ok = await postJson(f.url, HubPath.AgentEnroll, enrollBody(token, keys))
  assert.equal(ok.status, 200, ok.text)
  assert.ok(isValid(EnrolledMessage, ok.json))

  const again = await postJson(f.url, HubPath.AgentEnroll, enrollBody(token, generateSigningKeyPair()))
  assert.equal(again.status, 403)
  assert.equal(again.json.error.code, 'HUB_ERR_ENROLL_REFUSED')
  assert.ok(isValid(ErrorEnvelope, again.json))

  const badProof = enrollBody(await f.hub.createEnrollToken({ ttlMs: 60_000, group: 'web', createdBy: 'test' }), keys)
  badProof.hostname = 'someone-else'
  const forged = await postJson(f.url, HubPath.AgentEnroll, badProof)
  assert.equal(forged.status, 401)
  assert.equal(forged.json.error.code, 'PROTO_ERR_BAD_SIGNATURE')

  const hosts = await (await import('./support/hub-fixture.ts')).api(f, '/hosts')
  assert.equal(hosts.status, 200)
  assert.equal(hosts.json.length, 1)
  assert.equal(hosts.json[0].group, 'web')
})

test('enrollment: an expired token is refused', async (t) => {
  let clock = Date.now()
  const f = await startHub(t, {}, { now: () => clock })
  const token = await f.hub.createEnrollToken({ ttlMs: 1000, group: 'web', createdBy: 'test' })
  clock += 2000
  const res = await postJson(f.url, HubPath.AgentEnroll, enrollBody(token, generateSigningKeyPair()))
  assert.equal(res.status, 403)
  assert.equal(res.json.error.code, 'HUB_ERR_ENROLL_REFUSED')
  await enrollAgent(f)
})
