import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { IncomingMessage } from 'node:http'
import { WebSocket } from 'ws'
import { HubPath, PROTOCOL_VERSION, signBytes, wsAuthSigningString } from '@outpost/protocol'
import { startHub, enrollAgent, api, report, type HubFixture, type TestAgent } from './support/hub-fixture.ts'

/** What one upgrade attempt got: admitted (challenge frame read) or refused (status, Retry-After, body). */
type Attempt =
  | { readonly admitted: true, readonly ws: WebSocket, readonly next: () => Promise<any> }
  | { readonly admitted: false, readonly status: number, readonly retryAfter: string | undefined, readonly body: any }

/** Opens an agent WebSocket and waits for the challenge, or for the refusal of the upgrade. */
async function attempt (t: TestContext, f: HubFixture): Promise<Attempt> {
  const ws = new WebSocket(f.url.replace('https:', 'wss:') + HubPath.AgentWebSocket, { rejectUnauthorized: false })
  t.after(() => { ws.terminate() })
  const frames: unknown[] = []
  const waiters: Array<(v: unknown) => void> = []
  const next = (): Promise<any> => frames.length > 0 ? Promise.resolve(frames.shift()) : new Promise(resolve => waiters.push(resolve))
  ws.on('message', (data) => {
    const v = JSON.parse(String(data))
    const w = waiters.shift()
    if (w !== undefined) w(v)
    else frames.push(v)
  })
  return await new Promise<Attempt>((resolve, reject) => {
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => { text += c }).on('end', () => {
        const retryAfter = res.headers['retry-after']
        resolve({ admitted: false, status: res.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body: JSON.parse(text) })
      })
    })
    ws.once('error', reject)
    ws.once('open', () => {
      next().then((challenge) => {
        frames.unshift(challenge)
        resolve({ admitted: true, ws, next })
      }, reject)
    })
  })
}

function authFrame (agent: TestAgent, challenge: string): string {
  const time = String(Date.now())
  return JSON.stringify({ type: 'auth', agentId: agent.agentId, time, signature: signBytes(agent.keys.privateKey, wsAuthSigningString(challenge, agent.agentId, time)), protocolVersion: PROTOCOL_VERSION, capabilities: ['ws'] })
}

/** Authenticates an admitted socket as `agent`; resolves on `welcome`. */
async function authenticate (a: Attempt & { admitted: true }, agent: TestAgent): Promise<void> {
  const challenge = await a.next()
  assert.equal(challenge.type, 'challenge')
  a.ws.send(authFrame(agent, challenge.challenge))
  assert.equal((await a.next()).type, 'welcome')
}

test('admission: an upgrade beyond the bound of sockets awaiting authentication gets 503, HUB_ERR_OVERLOADED and Retry-After', async (t) => {
  const f = await startHub(t, {}, { wsAdmission: { maxPendingAuth: 2, retryAfterSec: 7, maxLagMs: 0 } })
  const agent = await enrollAgent(f)
  const first = await attempt(t, f)
  const second = await attempt(t, f)
  assert.ok(first.admitted && second.admitted)

  const third = await attempt(t, f)
  assert.equal(third.admitted, false)
  assert.ok(!third.admitted)
  assert.equal(third.status, 503)
  assert.equal(third.retryAfter, '7')
  assert.equal(third.body.error.code, 'HUB_ERR_OVERLOADED')

  // An authenticated socket no longer counts: its slot goes to the next upgrade.
  await authenticate(first, agent)
  const fourth = await attempt(t, f)
  assert.equal(fourth.admitted, true)
  // So does a socket that went away before authenticating.
  second.ws.terminate()
  await once(second.ws, 'close')
  // (The hub frees the slot when it sees the close, which may come after ours: retry until then.)
  await attemptUntilAdmitted(t, f)
})

/** Retries at once after each refusal (the test's own clock: no waiting), up to 100 attempts. */
async function attemptUntilAdmitted (t: TestContext, f: HubFixture): Promise<{ a: Attempt & { admitted: true }, refusals: number }> {
  for (let refusals = 0; refusals < 100; refusals++) {
    const a = await attempt(t, f)
    if (a.admitted) return { a, refusals }
    assert.equal(a.status, 503)
    assert.ok(Number(a.retryAfter) >= 1)
  }
  throw new Error('never admitted')
}

test('admission: a burst of agents beyond the bound is refused, then every agent gets in and every acknowledged report is stored', async (t) => {
  const f = await startHub(t, {}, { wsAdmission: { maxPendingAuth: 2, retryAfterSec: 1, maxLagMs: 0 } })
  const agents: TestAgent[] = []
  for (let i = 0; i < 10; i++) agents.push(await enrollAgent(f, `burst-${i}`))
  // Two sockets that never authenticate hold both slots: the whole burst meets a full front.
  const holders = [await attempt(t, f), await attempt(t, f)]
  const refusedFirst = await Promise.all(agents.map(() => attempt(t, f)))
  assert.ok(refusedFirst.every((a) => !a.admitted && a.status === 503 && a.retryAfter === '1'))
  for (const h of holders) if (h.admitted) h.ws.terminate()

  // Each agent retries until admitted, authenticates, sends one report and waits for its acknowledgement.
  const acked: number[][] = []
  let refusals = refusedFirst.length
  for (const [i, agent] of agents.entries()) {
    const { a, refusals: r } = await attemptUntilAdmitted(t, f)
    refusals += r
    await authenticate(a, agent)
    a.ws.send(JSON.stringify(report(1, i)))
    const reply = await a.next()
    assert.equal(reply.type, 'reply')
    acked.push(reply.accepted)
  }
  assert.ok(refusals >= agents.length)
  assert.deepEqual(acked, agents.map(() => [1]))
  for (const [i, agent] of agents.entries()) {
    const points = await api(f, `/hosts/${agent.agentId}/metrics?name=cpu.util_pct&from=0`)
    assert.equal(points.status, 200)
    assert.deepEqual(points.json.points.map((p: { value: number }) => p.value), [i])
  }
})

test('admission: a refused upgrade costs the hub no authentication work and leaves no session behind', async (t) => {
  const f = await startHub(t, {}, { wsAdmission: { maxPendingAuth: 0, retryAfterSec: 3, maxLagMs: 0 } })
  const agent = await enrollAgent(f)
  const a = await attempt(t, f)
  assert.ok(!a.admitted)
  assert.equal(a.status, 503)
  // The agent never got a challenge, so it never became a session: the host has not been seen.
  const host = await api(f, `/hosts/${agent.agentId}`)
  assert.equal(host.status, 200)
  assert.equal(host.json.lastSeen, null)
})

test('admission: while the event loop lags beyond the bound, upgrades are refused with 503 and Retry-After; once it catches up they are admitted', async (t) => {
  let lagMs = 400
  const f = await startHub(t, {}, { wsAdmission: { maxPendingAuth: 100, retryAfterSec: 4, maxLagMs: 250, lag: () => lagMs } })
  const agent = await enrollAgent(f)
  const refused = await attempt(t, f)
  assert.ok(!refused.admitted)
  assert.equal(refused.status, 503)
  assert.equal(refused.retryAfter, '4')
  assert.equal(refused.body.error.code, 'HUB_ERR_OVERLOADED')
  lagMs = 20
  const admitted = await attempt(t, f)
  assert.ok(admitted.admitted)
  await authenticate(admitted, agent)
})
