import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isValid, ReplyMessage, CommandStatus, verifyInstructionSignature } from '@outpost/protocol'
import { startHub, enrollAgent, sendSigned, api } from './support/hub-fixture.ts'

test('a held poll is answered with a signed instruction once one is queued; the result completes the command', async (t) => {
  const f = await startHub(t, { limits: { maxPollMs: 30_000 } })
  const agent = await enrollAgent(f)
  const poll = sendSigned(f, agent, { type: 'poll', waitMs: 30_000 })
  // Queue only once the poll is held: the hub logs nothing for it, so wait for the agent to be seen.
  const deadline = Date.now() + 5000
  while ((await api(f, `/hosts/${agent.agentId}`)).json.lastSeen === null) {
    assert.ok(Date.now() < deadline, 'poll never reached the hub')
  }
  const created = await api(f, `/hosts/${agent.agentId}/commands`, { method: 'POST', body: { type: 'exec', argv: ['uptime'], ttlMs: 60_000 } })
  assert.equal(created.status, 201, created.text)
  const answer = await poll
  assert.equal(answer.status, 200)
  assert.ok(isValid(ReplyMessage, answer.json))
  const instruction = answer.json.instructions[0]
  assert.ok(instruction !== undefined)
  assert.equal(instruction.id, created.json.id)
  assert.equal(instruction.agentId, agent.agentId)
  assert.equal(instruction.issuer, 'token:test-admin')
  assert.ok(verifyInstructionSignature(agent.hubKey, instruction))

  const waiting = api(f, `/commands/${created.json.id}?wait=20000`)
  const result = await sendSigned(f, agent, { type: 'result', seq: 1, time: Date.now(), instructionId: instruction.id, outcome: 'completed', exitCode: 0, stdout: 'up 1 day\n' })
  assert.deepEqual(result.json.accepted, [1])
  const status = await waiting
  assert.equal(status.status, 200)
  assert.ok(isValid(CommandStatus, status.json))
  assert.equal(status.json.status, 'completed')
  assert.equal(status.json.stdout, 'up 1 day\n')
  assert.equal(status.json.exitCode, 0)

  // A replayed result (same seq, from the spool) is acknowledged and changes nothing.
  const again = await sendSigned(f, agent, { type: 'result', seq: 1, time: Date.now(), instructionId: instruction.id, outcome: 'failed' })
  assert.deepEqual(again.json.accepted, [1])
  assert.equal((await api(f, `/commands/${created.json.id}`)).json.status, 'completed')
})

test('an instruction already queued is delivered at once; an empty poll ends at maxPollMs', async (t) => {
  const f = await startHub(t, { limits: { maxPollMs: 50 } })
  const agent = await enrollAgent(f)
  const empty = await sendSigned(f, agent, { type: 'poll', waitMs: 60_000 })
  assert.equal(empty.status, 200)
  assert.deepEqual(empty.json.instructions, [])

  const created = await api(f, `/hosts/${agent.agentId}/commands`, { method: 'POST', body: { type: 'report-now' } })
  assert.equal(created.status, 201)
  const full = await sendSigned(f, agent, { type: 'poll', waitMs: 0 })
  assert.equal(full.json.instructions.length, 1)
  // Once sent, it is not handed out again before the resend delay.
  const after = await sendSigned(f, agent, { type: 'poll', waitMs: 0 })
  assert.deepEqual(after.json.instructions, [])
  assert.equal((await api(f, `/commands/${created.json.id}`)).json.status, 'sent')
})

test('closing the hub answers a held poll at once', async (t) => {
  const f = await startHub(t, { limits: { maxPollMs: 60_000 } })
  const agent = await enrollAgent(f)
  const poll = sendSigned(f, agent, { type: 'poll', waitMs: 60_000 })
  const deadline = Date.now() + 5000
  while ((await api(f, `/hosts/${agent.agentId}`)).json.lastSeen === null) assert.ok(Date.now() < deadline)
  await f.hub.close()
  const answer = await poll
  assert.equal(answer.status, 200)
  assert.deepEqual(answer.json.instructions, [])
})
