// The agent side of a live session: only the agent the session is for may attach, over the
// WebSocket or the POST fallback; an unsigned upgrade is refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import WebSocket from 'ws'
import { AgentHeader, HubPath, PROTOCOL_VERSION, signRequest } from '@outpost/protocol'
import { api, enrollSimulatedAgent, request, startHub, type SimulatedAgent } from '@outpost/testkit'

function dial (url: string, path: string, headers: Record<string, string>): Promise<{ status: number, ws?: WebSocket }> {
  const u = new URL(url)
  const ws = new WebSocket(`wss://${u.host}${path}`, { headers, rejectUnauthorized: false })
  return new Promise((resolve, reject) => {
    ws.once('open', () => { resolve({ status: 101, ws }) })
    ws.once('unexpected-response', (_req, res) => { res.resume(); resolve({ status: res.statusCode ?? 0 }) })
    ws.once('error', reject)
  })
}

function signedGet (agent: SimulatedAgent, path: string): Record<string, string> {
  return { [AgentHeader.Protocol]: String(PROTOCOL_VERSION), ...signRequest(agent.keys.privateKey, { method: 'GET', path, agentId: agent.agentId, body: '' }) }
}

test('another agent cannot attach to a session; its own agent can, once', async (t) => {
  const hub = await startHub()
  t.after(() => hub.cleanup())
  const a = await enrollSimulatedAgent(hub.url, await hub.enrollToken(), 'host-a')
  const b = await enrollSimulatedAgent(hub.url, await hub.enrollToken(), 'host-b')
  const created = await api(hub.url, hub.adminToken, `/hosts/${a.agentId}/sessions`, { method: 'POST', body: { kind: 'terminal', cols: 80, rows: 24 } })
  assert.equal(created.status, 201, created.text)
  const path = `${HubPath.AgentSessions}/${created.json.id as string}`

  assert.equal((await dial(hub.url, path, { [AgentHeader.Protocol]: String(PROTOCOL_VERSION) })).status, 401)
  assert.equal((await dial(hub.url, path, signedGet(b, path))).status, 404)
  const body = JSON.stringify({ seq: 0, data: [], control: [] })
  const headers = { 'content-type': 'application/json', [AgentHeader.Protocol]: String(PROTOCOL_VERSION), ...signRequest(b.keys.privateKey, { method: 'POST', path: `${path}/out`, agentId: b.agentId, body }) }
  const out = await request(hub.url, { method: 'POST', path: `${path}/out`, headers, body })
  assert.equal(out.status, 404, out.text)

  const own = await dial(hub.url, path, signedGet(a, path))
  assert.equal(own.status, 101)
  t.after(() => own.ws?.terminate())
  // A second socket for the same session would split the stream.
  assert.equal((await dial(hub.url, path, signedGet(a, path))).status, 409)

  const audit = await api(hub.url, hub.adminToken, `/audit?action=live-session.attach&target=session:${created.json.id as string}`)
  assert.ok(audit.json.some((e: { actor: string, result: string }) => e.actor === `agent:${b.agentId}` && e.result === 'denied'))
  assert.ok(audit.json.some((e: { actor: string, result: string }) => e.actor === `agent:${a.agentId}` && e.result === 'ok'))
})

test('live sessions are stored, listed and closed on PostgreSQL too', async (t) => {
  const hub = await startHub({ postgres: true })
  t.after(() => hub.cleanup())
  const a = await enrollSimulatedAgent(hub.url, await hub.enrollToken(), 'host-a')
  const created = await api(hub.url, hub.adminToken, `/hosts/${a.agentId}/sessions`, { method: 'POST', body: { kind: 'terminal', cols: 80, rows: 24 } })
  assert.equal(created.status, 201, created.text)
  assert.equal(created.json.state, 'pending')
  const list = await api(hub.url, hub.adminToken, `/sessions?hostId=${a.agentId}`)
  assert.deepEqual(list.json.map((s: { id: string }) => s.id), [created.json.id])
  const closed = await api(hub.url, hub.adminToken, `/sessions/${created.json.id as string}`, { method: 'DELETE' })
  assert.equal(closed.json.state, 'closed', closed.text)
  assert.ok(closed.json.endedAt !== null)
})
