// The agent's output streamer against a real hub: pieces written together go out as one chunk per
// run of a stream, in order, split at the chunk size; a hub that refuses (finished command) or
// cannot be reached never makes `close` fail; a running exec streams through a real agent.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { api, enrollSimulatedAgent, openSse, sendSigned, startHub } from '@outpost/testkit'
import { OutputStream, MAX_CHUNK_CHARS } from '../src/operations/output-stream.ts'
import { PinnedAgent } from '../src/transport/pinned-connector.ts'
import { runningAgent } from './support/running-agent.ts'

async function setup (t: { after: (fn: () => unknown) => void }) {
  const hub = await startHub()
  t.after(() => hub.cleanup())
  const agent = await enrollSimulatedAgent(hub.url, await hub.enrollToken())
  const pinned = new PinnedAgent({ fingerprint: hub.fingerprint })
  t.after(() => { pinned.destroy() })
  const link = { hubUrl: hub.url, agentId: agent.agentId, privateKey: agent.keys.privateKey, agent: pinned }
  const created = await api(hub.url, hub.adminToken, `/hosts/${agent.agentId}/commands`, { method: 'POST', body: { type: 'package', action: 'upgrade', names: [] } })
  assert.equal(created.status, 201, created.text)
  const id: string = created.json.id
  const sse = await openSse(hub.url, `/api/v1/commands/${id}/output`, { authorization: `Bearer ${hub.adminToken}` })
  t.after(() => { sse.close() })
  return { hub, agent, link, id, sse }
}

test('writes coalesce into one chunk per run of a stream, in order, split at the chunk size', async (t) => {
  const { hub, agent, link, id, sse } = await setup(t)
  const out = new OutputStream(link, id, undefined)
  for (let i = 0; i < 200; i++) out.write('stdout', Buffer.from(`line ${i}\n`))
  out.write('stderr', Buffer.from('warning\n'))
  // A multi-byte character split across two writes arrives whole.
  const euro = Buffer.from('€\n')
  out.write('stdout', euro.subarray(0, 1))
  out.write('stdout', euro.subarray(1))
  out.write('stdout', Buffer.from('x'.repeat(MAX_CHUNK_CHARS + 10)))
  await out.close()
  await sendSigned(hub.url, agent, { type: 'result', seq: 1, time: Date.now(), instructionId: id, outcome: 'completed', exitCode: 0 })
  await sse.ended
  const chunks = sse.events.filter((e) => e.event === 'chunk').map((e) => e.data as { seq: number, stream: string, data: string })
  assert.deepEqual(chunks.map((c) => [c.seq, c.stream]), [[0, 'stdout'], [1, 'stderr'], [2, 'stdout'], [3, 'stdout']])
  assert.equal(chunks[0]?.data, Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join(''))
  assert.equal(chunks[1]?.data, 'warning\n')
  assert.equal(chunks[2]?.data.length, MAX_CHUNK_CHARS)
  assert.ok(chunks[2]?.data.startsWith('€\nxxx'))
  assert.equal(chunks[3]?.data, 'x'.repeat(12))
  assert.equal(sse.events.at(-1)?.event, 'finished')
})

test('a refused or unreachable hub never fails the command: close resolves', async (t) => {
  const { hub, agent, link, id } = await setup(t)
  await sendSigned(hub.url, agent, { type: 'result', seq: 1, time: Date.now(), instructionId: id, outcome: 'completed', exitCode: 0 })
  const late = new OutputStream(link, id, undefined)
  late.write('stdout', Buffer.from('too late\n'))
  await late.close()
  late.write('stdout', Buffer.from('after close is ignored\n'))
  const nowhere = new OutputStream({ ...link, hubUrl: 'https://127.0.0.1:1' }, id, undefined)
  nowhere.write('stdout', Buffer.from('lost\n'))
  await nowhere.close()
  const refusals = hub.logs.filter((l) => l.msg === 'request refused' && l.code === 'HUB_ERR_CONFLICT')
  assert.equal(refusals.length, 1, 'the late chunk was posted once, refused, and not retried')
})

test('a running exec streams its output live through a real agent', async (t) => {
  const { hub, agentId } = await runningAgent(t, null)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-exec-live-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const wait = (name: string) => `while [ ! -e ${path.join(dir, name)} ]; do sleep 0.05; done`
  // The command holds until the test says so: what the stream shows before `go2` exists was live.
  const created = await api(hub.url, hub.adminToken, `/hosts/${agentId}/commands`, { method: 'POST', body: { type: 'exec', argv: ['sh', '-c', `${wait('go1')}; echo one; ${wait('go2')}; echo two >&2`] } })
  assert.equal(created.status, 201, created.text)
  const sse = await openSse(hub.url, `/api/v1/commands/${created.json.id as string}/output`, { authorization: `Bearer ${hub.adminToken}` })
  t.after(() => { sse.close() })
  fs.writeFileSync(path.join(dir, 'go1'), '')
  const one = await sse.next((e) => e.event === 'chunk', 'the first line, live')
  assert.deepEqual(one.data, { seq: 0, stream: 'stdout', data: 'one\n' })
  fs.writeFileSync(path.join(dir, 'go2'), '')
  const finished = await sse.next((e) => e.event === 'finished', 'the end')
  assert.equal(finished.data.stdout, 'one\n')
  assert.equal(finished.data.stderr, 'two\n')
  assert.deepEqual(sse.events.filter((e) => e.event === 'chunk').map((e) => e.data), [one.data, { seq: 1, stream: 'stderr', data: 'two\n' }])
})
