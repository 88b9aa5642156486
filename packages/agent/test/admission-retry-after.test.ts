import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { makeTestCert } from '@outpost/testkit'
import { createHub, parseHubConfig } from '@outpost/hub'
import { generateSigningKeyPair } from '@outpost/protocol'
import { AgentErrorCode, AutoTransport, Backoff, PinnedAgent, WsTransport, retryDelay, type HubLink } from '../src/index.ts'

/**
 * A hub front that sheds every WebSocket upgrade with 503 and `Retry-After`, and counts upgrades
 * and POSTs: what the agent does after a refusal is read off the counts.
 */
async function sheddingFront (t: TestContext, retryAfterSec: number): Promise<{ url: string, fingerprint: string, counts: { upgrades: number, posts: number } }> {
  const cert = await makeTestCert()
  const counts = { upgrades: 0, posts: 0 }
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    counts.posts++
    req.resume()
    res.writeHead(503, { 'retry-after': String(retryAfterSec), 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { code: 'HUB_ERR_OVERLOADED', message: 'busy' } }))
  })
  server.on('upgrade', (_req, socket) => {
    counts.upgrades++
    const body = JSON.stringify({ error: { code: 'HUB_ERR_OVERLOADED', message: 'busy' } })
    socket.end(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: ${retryAfterSec}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, fingerprint: cert.fingerprint, counts }
}

function link (t: TestContext, url: string, fingerprint: string, now: () => number): HubLink {
  const agent = new PinnedAgent({ fingerprint })
  t.after(() => agent.destroy())
  return { hubUrl: url, agentId: 'agent-under-test', privateKey: generateSigningKeyPair().privateKey, agent, now }
}

test('retry delay: never shorter than Retry-After, spread over up to as much again, back-off alone without it', () => {
  const throttled = { code: AgentErrorCode.Throttled, details: { retryAfterMs: 3000 } }
  const values = [0, 0.25, 0.5, 0.999999]
  const delays = values.map((r) => retryDelay(new Backoff({ minMs: 500, maxMs: 1000 }, () => 0), throttled, () => r))
  assert.equal(delays[0], 3000)
  for (const d of delays) assert.ok(d >= 3000 && d <= 6001, `delay ${d}`)
  assert.deepEqual([...delays].sort((a, b) => a - b), delays)
  assert.ok(new Set(delays).size === delays.length, 'the jitter spreads agents refused together')
  // A back-off step longer than Retry-After wins.
  assert.ok(retryDelay(new Backoff({ minMs: 10_000, maxMs: 10_000 }), throttled, () => 0) >= 10_000)
  // Not throttled: the back-off alone.
  assert.equal(retryDelay(new Backoff({ minMs: 500, maxMs: 500 }), new Error('ECONNRESET'), () => 0), 500)
})

test('WebSocket: a refused upgrade (503 + Retry-After) is AGENT_ERR_THROTTLED carrying the delay', async (t) => {
  const front = await sheddingFront(t, 4)
  const ws = new WsTransport(link(t, front.url, front.fingerprint, Date.now))
  await assert.rejects(ws.connect(), (err: { code?: string, details?: { retryAfterMs?: number } }) => {
    assert.equal(err.code, AgentErrorCode.Throttled)
    assert.equal(err.details?.retryAfterMs, 4000)
    return true
  })
  assert.equal(front.counts.upgrades, 1)
})

test('auto transport: after a refused upgrade it neither falls back to POST nor dials again until Retry-After (plus jitter) has passed', async (t) => {
  const front = await sheddingFront(t, 3)
  let clock = 1_000_000
  const transport = new AutoTransport(link(t, front.url, front.fingerprint, () => clock), { mode: 'auto', backoff: { minMs: 100, maxMs: 200 }, random: () => 0.5 })
  t.after(() => transport.close())
  const send = (): Promise<unknown> => transport.send([{ type: 'report', seq: 1, time: clock, metrics: [] }])

  let held = 0
  await assert.rejects(send(), (err: { code?: string, details?: { retryAfterMs?: number } }) => {
    assert.equal(err.code, AgentErrorCode.Throttled)
    held = err.details?.retryAfterMs ?? 0
    return true
  })
  assert.deepEqual(front.counts, { upgrades: 1, posts: 0 })

  // Just before the hold ends: still refused locally, nothing reaches the hub.
  clock += 2999
  await assert.rejects(send(), (err: { code?: string, details?: { retryAfterMs?: number } }) => {
    assert.equal(err.code, AgentErrorCode.Throttled)
    assert.ok((err.details?.retryAfterMs ?? 0) > 0)
    return true
  })
  await assert.rejects(transport.awaitInstructions(10), { code: AgentErrorCode.Throttled })
  assert.deepEqual(front.counts, { upgrades: 1, posts: 0 })

  // Once Retry-After and the jitter have passed, the next call dials again.
  clock += 10_000
  await assert.rejects(send(), { code: AgentErrorCode.Throttled })
  assert.equal(front.counts.upgrades, 2)
  assert.ok(held >= 3000, `held ${held} ms`)
})

test('auto transport against a real hub whose WebSocket front is full: throttled, then the hub is left alone for the Retry-After', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-admission-'))
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }))
  const hub = createHub(parseHubConfig({ dataDir, listen: { host: '127.0.0.1', port: 0 }, logLevel: 'silent' }), { wsAdmission: { maxPendingAuth: 0, retryAfterSec: 5, maxLagMs: 0 } })
  const { url } = await hub.listen()
  t.after(() => hub.close())
  let clock = Date.now()
  const transport = new AutoTransport(link(t, url, hub.fingerprint, () => clock), { mode: 'auto', backoff: { minMs: 100, maxMs: 200 } })
  t.after(() => transport.close())
  await assert.rejects(transport.awaitInstructions(10), (err: { code?: string, details?: { retryAfterMs?: number } }) => {
    assert.equal(err.code, AgentErrorCode.Throttled)
    assert.ok((err.details?.retryAfterMs ?? 0) >= 5000)
    return true
  })
  clock += 4000
  await assert.rejects(transport.awaitInstructions(10), { code: AgentErrorCode.Throttled })
})
