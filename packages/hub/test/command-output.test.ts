// Streamed command output: an agent posts signed chunks of its running command, operators read
// them as Server-Sent Events and get one `finished` event at the end. Another agent's chunks,
// chunks after the end, and viewers of another host group are refused.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { AgentHeader, PROTOCOL_VERSION, commandOutputPath } from '@outpost/protocol'
import { enrollSimulatedAgent, openSse, request, type SseStream } from '@outpost/testkit'
import { startHub, sendSigned, api, agentHeaders, type HubFixture, type TestAgent } from './support/hub-fixture.ts'
import { createUser, login, type Browser } from './support/console-fixture.ts'

function postChunk (f: HubFixture, agent: TestAgent, commandId: string, chunk: unknown) {
  const body = JSON.stringify(chunk)
  const path = commandOutputPath(commandId)
  return request(f.url, { method: 'POST', path, headers: agentHeaders(agent, body, { path }), body })
}

async function stream (t: TestContext, f: HubFixture, commandId: string, auth: { bearer?: string, browser?: Browser }): Promise<SseStream> {
  const headers: Record<string, string> = {}
  if (auth.bearer !== undefined) headers.authorization = `Bearer ${auth.bearer}`
  if (auth.browser !== undefined) headers.cookie = auth.browser.cookie
  const s = await openSse(f.url, `/api/v1/commands/${commandId}/output`, headers)
  t.after(() => { s.close() })
  return s
}

async function queue (f: HubFixture, agent: TestAgent): Promise<string> {
  const created = await api(f, `/hosts/${agent.agentId}/commands`, { method: 'POST', body: { type: 'package', action: 'install', names: ['hello'] } })
  assert.equal(created.status, 201, created.text)
  return created.json.id
}

test('chunks posted by the command\'s agent reach the stream in order, then `finished`, then the end', async (t) => {
  const f = await startHub(t)
  const web = await enrollSimulatedAgent(f.url, await f.enrollToken('web'), 'web-1')
  const db = await enrollSimulatedAgent(f.url, await f.enrollToken('db'), 'db-1')
  const id = await queue(f, web)
  const s = await stream(t, f, id, { bearer: f.adminToken })
  assert.equal(s.status, 200)

  const first = { seq: 0, stream: 'stdout', data: '$ apt-get update\n' }
  assert.equal((await postChunk(f, web, id, first)).status, 204)
  assert.deepEqual((await s.next((e) => e.event === 'chunk', 'the first chunk')).data, first)

  // Another agent cannot inject output into this command: 404 like a missing command, audited.
  const forged = await postChunk(f, db, id, { seq: 1, stream: 'stdout', data: 'rm -rf / done\n' })
  assert.equal(forged.status, 404, forged.text)
  assert.equal(forged.json.error.code, 'HUB_ERR_NOT_FOUND')
  const audit = await api(f, `/audit?action=command.output&target=command:${id}`)
  assert.equal(audit.json.length, 1)
  assert.equal(audit.json[0].actor, `agent:${db.agentId}`)
  assert.equal(audit.json[0].result, 'denied')

  // Unsigned, badly signed (path of another command) and malformed chunks never reach the stream.
  const body = JSON.stringify({ seq: 1, stream: 'stdout', data: 'x' })
  const unsigned = { 'content-type': 'application/json', [AgentHeader.Protocol]: String(PROTOCOL_VERSION) }
  assert.equal((await request(f.url, { method: 'POST', path: commandOutputPath(id), headers: unsigned, body })).status, 401)
  assert.equal((await request(f.url, { method: 'POST', path: commandOutputPath(id), headers: agentHeaders(web, body, { path: commandOutputPath('other') }), body })).status, 401)
  assert.equal((await postChunk(f, web, id, { seq: -1, stream: 'stdin', data: 'x' })).status, 400)

  const second = { seq: 1, stream: 'stderr', data: 'W: something\n' }
  assert.equal((await postChunk(f, web, id, second)).status, 204)
  await s.next((e) => e.event === 'chunk' && e.data.seq === 1, 'the second chunk')

  const result = await sendSigned(f, web, { type: 'result', seq: 1, time: Date.now(), instructionId: id, outcome: 'completed', exitCode: 0, stdout: '$ apt-get update\n', stderr: 'W: something\n' })
  assert.equal(result.status, 200, result.text)
  const finished = await s.next((e) => e.event === 'finished', 'the finished event')
  assert.equal(finished.data.status, 'completed')
  assert.equal(finished.data.exitCode, 0)
  assert.equal(finished.data.id, id)
  await s.ended
  assert.deepEqual(s.events.map((e) => e.event), ['chunk', 'chunk', 'finished'])
  assert.deepEqual(s.events.slice(0, 2).map((e) => e.data), [first, second], 'only the real agent\'s chunks, in order')

  // Output of a finished command is refused: it is in the result.
  const late = await postChunk(f, web, id, { seq: 2, stream: 'stdout', data: 'late\n' })
  assert.equal(late.status, 409, late.text)
  assert.equal(late.json.error.code, 'HUB_ERR_CONFLICT')

  // A stream opened after the end answers `finished` at once.
  const after = await stream(t, f, id, { bearer: f.adminToken })
  await after.ended
  assert.deepEqual(after.events.map((e) => e.event), ['finished'])
  // A missing command is 404 before any stream opens.
  const missing = await stream(t, f, 'nosuchcommand', { bearer: f.adminToken })
  assert.equal(missing.status, 404)
  assert.equal(missing.refusal.error.code, 'HUB_ERR_NOT_FOUND')
})

test('a viewer of another host group cannot stream the command; one of its group can', async (t) => {
  const f = await startHub(t)
  const web = await enrollSimulatedAgent(f.url, await f.enrollToken('web'), 'web-1')
  const id = await queue(f, web)
  await createUser(f, 'dbview', 'viewer', { groups: ['db'] })
  await createUser(f, 'webview', 'viewer', { groups: ['web'] })
  const outsider = await stream(t, f, id, { browser: await login(f, 'dbview') })
  assert.equal(outsider.status, 404)
  assert.equal(outsider.refusal.error.code, 'HUB_ERR_NOT_FOUND')
  assert.equal(outsider.refusal.error.message, 'no such command', 'out of scope looks exactly like missing')
  const denied = await api(f, `/audit?action=api.access&target=command:${id}`)
  assert.equal(denied.json.filter((e: { result: string }) => e.result === 'denied').length, 1, 'the scope miss is audited')
  assert.equal((await stream(t, f, id, { bearer: 'not-a-token' })).status, 401)

  const insider = await stream(t, f, id, { browser: await login(f, 'webview') })
  assert.equal(insider.status, 200)
  assert.equal((await postChunk(f, web, id, { seq: 0, stream: 'stdout', data: 'hi\n' })).status, 204)
  assert.equal((await insider.next((e) => e.event === 'chunk', 'a chunk')).data.data, 'hi\n')
})
