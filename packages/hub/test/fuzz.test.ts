import { test } from 'node:test'
import assert from 'node:assert/strict'
import https from 'node:https'
import { AgentHeader, AgentMessage, CreateCommandRequest, EnrollRequest, HubPath, ErrorEnvelope, generateSigningKeyPair, isValid } from '@outpost/protocol'
import { startHub, enrollAgent, enrollBody, postJson, agentHeaders, request, api, report, sendSigned, type Answer } from './support/hub-fixture.ts'

/** Deterministic PRNG (mulberry32), so that a failure can be replayed from its seed. */
function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SEED = 0x0b5e55ed
const JUNK = ['{', '}', '[', ']', '"', ',', ':', 'null', '-1', '1e999', '\u0000', '"__proto__"', '\ud83d', 'true', '0.5', '"type"', '\\', ' ']
const VALUES: unknown[] = [null, -1, 0, 1.5, 2 ** 60, '', 'x'.repeat(300), [], {}, true, 'report', 'poll', { __proto__: { polluted: 1 } }, [null]]

function mutate (rand: () => number, base: Record<string, unknown>): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  const text = JSON.stringify(base)
  const at = Math.floor(rand() * text.length)
  switch (Math.floor(rand() * 5)) {
    case 0: return text.slice(0, at) + String.fromCharCode(Math.floor(rand() * 128)) + text.slice(at + 1)
    case 1: return text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 20))
    case 2: return text.slice(0, at) + pick(JUNK) + text.slice(at)
    case 3: return text.slice(0, at)
    default: {
      const copy: Record<string, unknown> = structuredClone(base)
      const keys = [...Object.keys(copy), 'extra', 'type']
      copy[pick(keys)] = pick(VALUES)
      return JSON.stringify(copy)
    }
  }
}

function parsesAs (schema: Parameters<typeof isValid>[0], text: string): boolean {
  try {
    return isValid(schema, JSON.parse(text))
  } catch {
    // Not JSON at all: certainly not valid.
    return false
  }
}

test('fuzz: thousands of malformed bodies and headers get 4xx envelopes, the hub stays up, nothing is stored', async (t) => {
  const f = await startHub(t, { limits: { maxPollMs: 0 } })
  const agent = await enrollAgent(f)
  const usedToken = await f.hub.createEnrollToken({ ttlMs: 60_000, group: 'default', createdBy: 'test' })
  const first = enrollBody(usedToken, generateSigningKeyPair(), 'fuzz-host')
  assert.equal((await postJson(f.url, HubPath.AgentEnroll, first)).status, 200)
  const keepAlive = new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 8 })
  t.after(() => { keepAlive.destroy() })

  const rand = prng(SEED)
  const deadline = Date.now() + 15_000
  const check = (res: Answer, what: string): void => {
    assert.ok(res.status >= 400 && res.status < 500, `${what}: status ${res.status} ${res.text.slice(0, 200)}`)
    assert.ok(isValid(ErrorEnvelope, res.json), `${what}: not an envelope: ${res.text.slice(0, 200)}`)
  }
  const baseReport = { ...report(1), events: [{ name: 'threshold.crossed', severity: 'warning', message: 'hot', time: 1 }] }
  const baseCommand = { type: 'exec', argv: ['ls'], ttlMs: 60_000 }
  let sent = 0
  for (let i = 0; i < 3000 && Date.now() < deadline; i++) {
    const kind = i % 5
    if (kind === 0 || kind === 1) {
      const body = mutate(rand, baseReport)
      if (parsesAs(AgentMessage, body)) continue
      check(await request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers: agentHeaders(agent, body), body, agent: keepAlive }), `message ${body}`)
    } else if (kind === 2) {
      const body = JSON.stringify(report(1 + Math.floor(rand() * 1000)))
      const headers = agentHeaders(agent, body)
      const names = [...Object.values(AgentHeader), 'content-type']
      const name = names[Math.floor(rand() * names.length)] as string
      const value = [undefined, '', 'abc', '-1', '99999999999999999', 'A'.repeat(86), 'text/plain', '1.0'][Math.floor(rand() * 8)]
      if (value === undefined) delete headers[name]
      else headers[name] = value
      check(await request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers, body, agent: keepAlive }), `header ${name}=${String(value)}`)
    } else if (kind === 3) {
      const body = mutate(rand, first)
      const res = await request(f.url, { method: 'POST', path: HubPath.AgentEnroll, headers: { 'content-type': 'application/json' }, body, agent: keepAlive })
      check(res, `enroll ${body.slice(0, 120)} (valid=${parsesAs(EnrollRequest, body)})`)
    } else {
      const body = mutate(rand, baseCommand)
      if (parsesAs(CreateCommandRequest, body)) continue
      const res = await request(f.url, { method: 'POST', path: `/api/v1/hosts/${agent.agentId}/commands`, headers: { 'content-type': 'application/json', authorization: `Bearer ${f.adminToken}` }, body, agent: keepAlive })
      check(res, `command ${body}`)
    }
    sent++
  }
  assert.ok(sent >= 1000, `only ${sent} requests were sent`)

  assert.equal((await request(f.url, { path: HubPath.Health })).status, 200)
  assert.deepEqual(f.logs.filter(l => Number(l.level) >= 50), [], 'no request was a hub failure')
  const hosts = await api(f, '/hosts')
  assert.equal(hosts.json.length, 2)
  const points = await api(f, `/hosts/${agent.agentId}/metrics?name=cpu.util_pct&from=0`)
  assert.deepEqual(points.json.points, [])
  const detail = await api(f, `/hosts/${agent.agentId}`)
  assert.deepEqual(detail.json.recentEvents, [])
  const poll = await sendSigned(f, agent, { type: 'poll', waitMs: 0 })
  assert.deepEqual(poll.json.instructions, [], 'no command was queued by the fuzzer')
})
