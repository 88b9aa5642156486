// Live terminal sessions end to end: a real hub, a real agent with a real pty, operators joining
// over the hub's WebSocket; the recording, the POST fallback and the refusals.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { api } from '@outpost/testkit'
import { asUser, join, operator, terminalHost } from './support/terminal-fixture.ts'

const SIZE = { kind: 'terminal', cols: 80, rows: 24 }

/** The `session-open` command behind a session, as the audit log names it. */
async function commandOf (hub: { url: string, adminToken: string }, sessionId: string): Promise<string> {
  const audit = await api(hub.url, hub.adminToken, `/audit?action=live-session.open&target=session:${sessionId}`)
  assert.equal(audit.status, 200, audit.text)
  return audit.json[0].detail.commandId
}

test('an operator opens a terminal, types, resizes and exits; the session is recorded as asciicast v2', async (t) => {
  const { hub, agentId } = await terminalHost(t)
  const alice = await operator(hub, 'alice', 'operator')
  const created = await asUser(hub, alice, 'POST', `/hosts/${agentId}/sessions`, SIZE)
  assert.equal(created.status, 201, created.text)
  assert.equal(created.json.actor, 'user:alice')
  const id: string = created.json.id
  const term = await join(hub, id, { cookie: alice.cookie, origin: hub.url })
  await term.waitControl('ready')
  term.type('echo hello-$((6*7))\r')
  await term.waitFor('hello-42')
  term.ws.send(JSON.stringify({ t: 'resize', cols: 100, rows: 30 }))
  term.type('stty size\r')
  await term.waitFor(/30 100/, 'the new size')
  term.type('exit 7\r')
  const exit = await term.waitControl('exit')
  assert.equal(exit.code, 7)
  await term.waitControl('closed')
  assert.equal(await term.closed, 1000)

  const done = await api(hub.url, hub.adminToken, `/commands/${await commandOf(hub, id)}?wait=20000`)
  assert.equal(done.json.status, 'completed', done.text)
  assert.equal(done.json.exitCode, 7)
  const info = await api(hub.url, hub.adminToken, `/sessions/${id}`)
  assert.equal(info.json.state, 'closed')
  assert.equal(info.json.exitCode, 7)
  assert.ok(info.json.recordingBytes > 0)

  const rec = await asUser(hub, alice, 'GET', `/sessions/${id}/recording`)
  assert.equal(rec.status, 200, rec.text)
  assert.match(String(rec.headers['content-type']), /^application\/x-asciicast/)
  const [header, ...events] = rec.text.trimEnd().split('\n').map(l => JSON.parse(l))
  assert.equal(header.version, 2)
  assert.equal(header.width, 80)
  assert.equal(header.height, 24)
  assert.ok(events.every(e => Array.isArray(e) && typeof e[0] === 'number' && (e[1] === 'o' || e[1] === 'r')))
  assert.ok(events.some(e => e[1] === 'o' && String(e[2]).includes('hello-42')))
  assert.ok(events.some(e => e[1] === 'r' && e[2] === '100x30'))
  const times = events.map(e => e[0] as number)
  assert.deepEqual(times, [...times].sort((a, b) => a - b))

  const list = await asUser(hub, alice, 'GET', `/sessions?hostId=${agentId}`)
  assert.equal(list.status, 200, list.text)
  assert.deepEqual(list.json.map((s: { id: string }) => s.id), [id])
  const audit = await api(hub.url, hub.adminToken, `/audit?target=session:${id}`)
  const actions = audit.json.map((e: { action: string, actor: string }) => `${e.action} ${e.actor}`)
  for (const a of ['live-session.open user:alice', 'live-session.join user:alice', `live-session.attach agent:${agentId}`, `live-session.close agent:${agentId}`, 'live-session.recording user:alice']) {
    assert.ok(actions.includes(a), `audit has ${a}: ${JSON.stringify(actions)}`)
  }
})

test('the POST fallback carries a session when the agent runs without WebSockets', async (t) => {
  const { hub, agentId } = await terminalHost(t, { transport: 'http' })
  const created = await api(hub.url, hub.adminToken, `/hosts/${agentId}/sessions`, { method: 'POST', body: SIZE })
  assert.equal(created.status, 201, created.text)
  const id: string = created.json.id
  const term = await join(hub, id, { bearer: hub.adminToken })
  // Typed before the agent attached: held by the hub and delivered once the shell is ready.
  term.type('echo hello-$((6*7))\r')
  await term.waitFor('hello-42')
  term.type('exit 3\r')
  assert.equal((await term.waitControl('exit')).code, 3)
  const audit = await api(hub.url, hub.adminToken, `/audit?action=live-session.attach&target=session:${id}`)
  assert.equal(audit.json[0].detail.via, 'post')
  const done = await api(hub.url, hub.adminToken, `/commands/${await commandOf(hub, id)}?wait=20000`)
  assert.equal(done.json.status, 'completed', done.text)
  assert.equal(done.json.exitCode, 3)
})

test('closing a session through the API hangs the shell up', async (t) => {
  const { hub, agentId } = await terminalHost(t)
  const created = await api(hub.url, hub.adminToken, `/hosts/${agentId}/sessions`, { method: 'POST', body: SIZE })
  const id: string = created.json.id
  const term = await join(hub, id, { bearer: hub.adminToken })
  await term.waitControl('ready')
  const closed = await api(hub.url, hub.adminToken, `/sessions/${id}`, { method: 'DELETE' })
  assert.equal(closed.status, 200, closed.text)
  assert.equal(closed.json.state, 'closed')
  assert.match(String((await term.waitControl('closed')).reason), /closed by token:test-admin/)
  const done = await api(hub.url, hub.adminToken, `/commands/${await commandOf(hub, id)}?wait=20000`)
  assert.equal(done.json.status, 'completed', done.text)
  assert.equal(done.json.signal, 'SIGHUP')
})

test('viewers cannot open or join, other operators cannot join, cookies from another origin are refused', async (t) => {
  const { hub, agentId } = await terminalHost(t)
  const alice = await operator(hub, 'alice', 'operator')
  const bob = await operator(hub, 'bob', 'operator')
  const vic = await operator(hub, 'vic', 'viewer')
  assert.equal((await asUser(hub, vic, 'POST', `/hosts/${agentId}/sessions`, SIZE)).status, 403)
  const created = await asUser(hub, alice, 'POST', `/hosts/${agentId}/sessions`, SIZE)
  assert.equal(created.status, 201, created.text)
  const id: string = created.json.id
  await assert.rejects(join(hub, id, { cookie: vic.cookie, origin: hub.url }), { status: 403 })
  await assert.rejects(join(hub, id, { cookie: bob.cookie, origin: hub.url }), { status: 403 })
  assert.equal((await asUser(hub, bob, 'DELETE', `/sessions/${id}`)).status, 403)
  await assert.rejects(join(hub, id, { cookie: alice.cookie, origin: 'https://evil.example' }), { status: 403 })
  await assert.rejects(join(hub, id, { cookie: alice.cookie }), { status: 403 })
  await assert.rejects(join(hub, id, {}), { status: 401 })
  // The creator still gets in; the viewer may list the session.
  const term = await join(hub, id, { cookie: alice.cookie, origin: hub.url })
  await term.waitControl('ready')
  assert.equal((await asUser(hub, vic, 'GET', `/sessions?hostId=${agentId}`)).json.length, 1)
  const denials = await api(hub.url, hub.adminToken, `/audit?action=live-session.join&target=session:${id}`)
  assert.ok(denials.json.some((e: { actor: string, result: string }) => e.actor === 'user:bob' && e.result === 'denied'))
  assert.ok(denials.json.some((e: { detail: { reason?: string }, result: string }) => e.result === 'denied' && e.detail.reason === 'cross-origin'))
  term.type('exit\r')
  await term.closed
})

for (const [name, policy] of [['without the terminal class', '{"operations":["exec"]}'], ['with an exec allow-list', '{"exec":{"allow":["uptime"]}}']] as const) {
  test(`a policy ${name} refuses a terminal with AGENT_ERR_POLICY_DENIED`, async (t) => {
    const { hub, agentId } = await terminalHost(t, { policy })
    const created = await api(hub.url, hub.adminToken, `/hosts/${agentId}/sessions`, { method: 'POST', body: SIZE })
    assert.equal(created.status, 201, created.text)
    const id: string = created.json.id
    const done = await api(hub.url, hub.adminToken, `/commands/${await commandOf(hub, id)}?wait=20000`)
    assert.equal(done.json.status, 'rejected', done.text)
    assert.equal(done.json.error.code, 'AGENT_ERR_POLICY_DENIED')
    const info = await api(hub.url, hub.adminToken, `/sessions/${id}?`)
    assert.equal(info.json.state, 'closed')
    await assert.rejects(join(hub, id, { bearer: hub.adminToken }), { status: 409 })
  })
}
