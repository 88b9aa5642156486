// The life of an agent WebSocket beyond the handshake: a newer connection replaces the older, frames
// sent right behind the auth frame are answered in order, and the heartbeat drops a silent socket
// while a live one stays (the server's shared listeners and its one bus subscription at work).
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { Socket } from 'node:net'
import { WebSocket } from 'ws'
import { startHub, enrollAgent, api, report, type HubFixture, type TestAgent } from './support/hub-fixture.ts'
import { authFrame, openAgentSocket, type FramedSocket } from './support/agent-ws-client.ts'

type Client = FramedSocket

/** An agent WebSocket; resolves once the challenge came. */
async function connect (t: TestContext, f: HubFixture, opts: { autoPong?: boolean } = {}): Promise<Client & { challenge: string }> {
  const { ws, next } = await openAgentSocket(t, f, opts)
  const challenge = await next()
  assert.equal(challenge.type, 'challenge')
  return { ws, next, challenge: challenge.challenge }
}

/** A connected, authenticated agent socket. */
async function session (t: TestContext, f: HubFixture, agent: TestAgent, opts: { autoPong?: boolean } = {}): Promise<Client> {
  const c = await connect(t, f, opts)
  c.ws.send(authFrame(agent, c.challenge))
  assert.equal((await c.next()).type, 'welcome')
  return c
}

test('WebSocket: a newer connection of the same agent replaces the older (4000); instructions go to the newer', async (t) => {
  const f = await startHub(t)
  const agent = await enrollAgent(f)
  const first = await session(t, f, agent)
  const firstClosed = once(first.ws, 'close')
  const second = await session(t, f, agent)
  const [code] = await firstClosed
  assert.equal(code, 4000)

  const created = await api(f, `/hosts/${agent.agentId}/commands`, { method: 'POST', body: { type: 'report-items', names: ['inventory'] } })
  assert.equal(created.status, 201)
  const pushed = await second.next()
  assert.equal(pushed.type, 'reply')
  assert.equal(pushed.instructions[0].id, created.json.id)

  // The replaced socket's close did not take the newer session with it.
  second.ws.send(JSON.stringify(report(1)))
  assert.deepEqual((await second.next()).accepted, [1])
})

test('WebSocket: frames sent right behind the auth frame are answered after the welcome, in order', async (t) => {
  const f = await startHub(t)
  const agent = await enrollAgent(f)
  const c = await connect(t, f)
  // One write, so that the hub reads the three frames together, before the auth has been checked.
  const socket = (c.ws as unknown as { _socket: Socket })._socket
  socket.cork()
  c.ws.send(authFrame(agent, c.challenge))
  c.ws.send(JSON.stringify(report(1)))
  c.ws.send(JSON.stringify(report(2)))
  socket.uncork()
  assert.equal((await c.next()).type, 'welcome')
  assert.deepEqual((await c.next()).accepted, [1])
  assert.deepEqual((await c.next()).accepted, [2])
})

test('WebSocket: the heartbeat drops a socket that does not answer pings and keeps one that does', async (t) => {
  const f = await startHub(t, {}, { wsTiming: { authTimeoutMs: 10_000, heartbeatMs: 200 } })
  const silent = await session(t, f, await enrollAgent(f, 'silent-1'), { autoPong: false })
  const live = await session(t, f, await enrollAgent(f, 'live-1'))
  let pings = 0
  live.ws.on('ping', () => { pings++ })
  await once(silent.ws, 'close')
  // Three more beats: each would have dropped the live socket had its pong gone unseen.
  const seen = pings
  while (pings < seen + 3) {
    assert.equal(live.ws.readyState, WebSocket.OPEN, 'the live socket was dropped')
    await new Promise((resolve) => { live.ws.once('ping', resolve).once('close', resolve) })
  }
  assert.equal(live.ws.readyState, WebSocket.OPEN, 'the live socket was dropped')
  live.ws.send(JSON.stringify(report(1)))
  assert.deepEqual((await live.next()).accepted, [1])
})
