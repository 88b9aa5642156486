import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { createHub, parseHubConfig, type Hub } from '@outpost/hub'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { TSchema } from '@sinclair/typebox'
import { CommandStatus, CreatedCommand, HostDetail, MetricSeries, decodeEnrollToken, encodeEnrollToken, parseJson } from '@outpost/protocol'
import { AutoTransport, createAgent, enrollAgent, isEnrolled, loadAgentState, parseAgentConfig, PinnedAgent, type Agent, type AgentDeps, type TransportStatus } from '../src/index.ts'

type T = { after: (fn: () => Promise<void> | void) => void }

function tmp (t: T, name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `outpost-${name}-`))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function startHub (dataDir: string, port = 0): Promise<{ hub: Hub, url: string, port: number }> {
  const hub = createHub(parseHubConfig({ dataDir, listen: { host: '127.0.0.1', port }, logLevel: 'silent' }))
  const { url, port: p } = await hub.listen()
  return { hub, url, port: p }
}

/** Resolves when `cond()` holds, re-checking at every `event` of `emitter`; fails after `ms`. */
async function until (agent: Agent, event: 'acked' | 'spooled' | 'status', cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = AbortSignal.timeout(ms)
  while (!(await cond())) await once(agent, event, { signal: deadline })
}

function api<S extends TSchema> (agent: https.Agent, base: string, token: string, method: string, p: string, schema: S, body?: unknown) {
  return new Promise<ReturnType<typeof parseJson<S>>>((resolve, reject) => {
    const req = https.request(new URL(p, base), { method, agent, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${p}: HTTP ${res.statusCode}: ${text}`))
        else resolve(parseJson(schema, text))
      })
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

async function enrolledAgent (t: T, hub: Hub, cfg: Record<string, unknown> = {}, deps: (stateDir: string) => AgentDeps = () => ({})): Promise<{ agent: Agent, agentId: string, statuses: TransportStatus[], stateDir: string }> {
  const stateDir = tmp(t, 'agent')
  const token = await hub.createEnrollToken({ ttlMs: 60_000, group: 'test', createdBy: 'user:test' })
  const state = await enrollAgent({ token, stateDir })
  const agent = createAgent(parseAgentConfig({ stateDir, intervalMs: 60_000, pollWaitMs: 5_000, thresholds: [], backoff: { minMs: 50, maxMs: 500 }, ...cfg }), deps(stateDir))
  const statuses: TransportStatus[] = []
  agent.on('status', (s) => statuses.push(s))
  t.after(() => agent.stop())
  return { agent, agentId: state.agentId, statuses, stateDir }
}

test('enroll, report over the WebSocket, run an exec instruction end to end', async (t) => {
  const { hub, url } = await startHub(tmp(t, 'hub'))
  t.after(() => hub.close())
  const { agent, agentId, statuses, stateDir } = await enrolledAgent(t, hub)
  assert.equal(fs.statSync(stateDir).mode & 0o777, 0o700)
  assert.equal(fs.statSync(path.join(stateDir, 'agent-key.pem')).mode & 0o777, 0o600)
  let acked = 0
  agent.on('acked', (seqs) => { acked += seqs.length })
  await agent.start()
  await until(agent, 'acked', () => acked >= 1)
  assert.ok(statuses.some((s) => s.type === 'connect' && s.transport === 'ws'), JSON.stringify(statuses))

  const pinned = new PinnedAgent({ fingerprint: hub.fingerprint })
  t.after(() => pinned.destroy())
  const apiToken = await hub.createApiToken({ name: 'e2e', role: 'admin' })
  const host = await api(pinned, url, apiToken, 'GET', `/api/v1/hosts/${agentId}`, HostDetail)
  assert.notEqual(host.inventory, null)
  assert.equal(host.inventory?.hostname, os.hostname())
  assert.ok(Object.keys(host.metrics).length > 0)

  const cmd = await api(pinned, url, apiToken, 'POST', `/api/v1/hosts/${agentId}/commands`, CreatedCommand,
    { type: 'exec', argv: [process.execPath, '-e', 'console.log(6 * 7); process.exit(4)'] })
  const done = await api(pinned, url, apiToken, 'GET', `/api/v1/commands/${cmd.id}?wait=30000`, CommandStatus)
  assert.equal(done.status, 'completed')
  assert.equal(done.exitCode, 4)
  assert.equal(done.stdout, '42\n')
})

test('spooled reports are replayed in order after the hub restarts: none lost, none twice', async (t) => {
  const dataDir = tmp(t, 'hub')
  let { hub, url, port } = await startHub(dataDir)
  t.after(() => hub.close())
  const { agent, agentId } = await enrolledAgent(t, hub, { intervalMs: 1000, jitter: 0 })
  const spooled: number[] = []
  const acked = new Set<number>()
  agent.on('spooled', (s) => { if (s.type === 'report') spooled.push(s.seq) })
  agent.on('acked', (seqs) => { for (const s of seqs) acked.add(s) })
  await agent.start()
  await until(agent, 'acked', () => acked.size >= 1)
  await hub.close()
  const before = spooled.length
  await until(agent, 'spooled', () => spooled.length >= before + 3)
  assert.ok(agent.pending >= 3)
  ;({ hub, url, port } = await startHub(dataDir, port))
  await until(agent, 'acked', () => spooled.every((s) => acked.has(s)) && spooled.length >= before + 4)

  const pinned = new PinnedAgent({ fingerprint: hub.fingerprint })
  t.after(() => pinned.destroy())
  const apiToken = await hub.createApiToken({ name: 'e2e', role: 'admin' })
  const host = await api(pinned, url, apiToken, 'GET', `/api/v1/hosts/${agentId}`, HostDetail)
  const name = 'mem.total_bytes'
  assert.ok(name in host.metrics)
  await agent.stop()
  const series = await api(pinned, url, apiToken, 'GET', `/api/v1/hosts/${agentId}/metrics?name=${name}&from=0&limit=100000`, MetricSeries)
  // Every report carries this metric once: as many points as acknowledged reports means no loss and no duplicate.
  const ackedReports = spooled.filter((s) => acked.has(s)).length
  assert.equal(series.points.length, ackedReports)
})

/**
 * A TLS-terminating front with the hub's own certificate (so the pin holds) that forwards plain
 * requests to the hub and refuses every WebSocket upgrade, like a proxy that blocks Upgrade.
 */
async function startUpgradeBlocker (t: T, hubDataDir: string, hubUrl: string, fingerprint: string): Promise<{ url: string, upgrades: () => number }> {
  const tlsDir = path.join(hubDataDir, 'tls')
  const toHub = new PinnedAgent({ fingerprint })
  let upgrades = 0
  const front = https.createServer({ cert: fs.readFileSync(path.join(tlsDir, 'hub-cert.pem')), key: fs.readFileSync(path.join(tlsDir, 'hub-key.pem')) }, (req: IncomingMessage, res) => {
    const up = https.request(new URL(req.url ?? '/', hubUrl), { method: req.method, headers: req.headers, agent: toHub }, (hubRes) => {
      res.writeHead(hubRes.statusCode ?? 502, hubRes.headers)
      hubRes.pipe(res)
    })
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  front.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
    upgrades++
    socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  })
  const sockets = new Set<Socket>()
  front.on('connection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)) })
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', () => resolve()))
  t.after(() => new Promise<void>((resolve) => {
    front.close(() => resolve())
    for (const s of sockets) s.destroy()
    toHub.destroy()
  }))
  return { url: `https://127.0.0.1:${(front.address() as AddressInfo).port}`, upgrades: () => upgrades }
}

test('when the WebSocket is refused the agent falls back to POST by itself', async (t) => {
  const dataDir = tmp(t, 'hub')
  const { hub, url } = await startHub(dataDir)
  t.after(() => hub.close())
  const front = await startUpgradeBlocker(t, dataDir, url, hub.fingerprint)
  let pinned: PinnedAgent | undefined
  const { agent, agentId, statuses } = await enrolledAgent(t, hub, {}, (stateDir) => {
    const state = loadAgentState(stateDir)
    pinned = new PinnedAgent({ fingerprint: state.fingerprint })
    return {
      transport: new AutoTransport(
        { hubUrl: front.url, agentId: state.agentId, privateKey: state.keyPair.privateKey, agent: pinned },
        { mode: 'auto', backoff: { minMs: 60_000, maxMs: 60_000 } })
    }
  })
  t.after(() => pinned?.destroy())
  let acked = 0
  agent.on('acked', (seqs) => { acked += seqs.length })
  await agent.start()
  await until(agent, 'acked', () => acked >= 1)
  assert.ok(front.upgrades() >= 1)
  assert.ok(statuses.some((s) => s.type === 'fallback' && s.from === 'ws' && s.to === 'https'), JSON.stringify(statuses))
  assert.ok(!statuses.some((s) => s.type === 'connect' && s.transport === 'ws'))

  // Instructions still arrive, through the held POST poll.
  const api2 = new PinnedAgent({ fingerprint: hub.fingerprint })
  t.after(() => api2.destroy())
  const apiToken = await hub.createApiToken({ name: 'e2e', role: 'admin' })
  const cmd = await api(api2, url, apiToken, 'POST', `/api/v1/hosts/${agentId}/commands`, CreatedCommand, { type: 'exec', argv: [process.execPath, '-e', 'process.stderr.write("via poll")'] })
  const done = await api(api2, url, apiToken, 'GET', `/api/v1/commands/${cmd.id}?wait=30000`, CommandStatus)
  assert.equal(done.status, 'completed')
  assert.equal(done.stderr, 'via poll')
})

test('enrollment against a hub whose certificate is not the pinned one is refused and stores nothing', async (t) => {
  const { hub } = await startHub(tmp(t, 'hub'))
  t.after(() => hub.close())
  const good = decodeEnrollToken(await hub.createEnrollToken({ ttlMs: 60_000, group: 'test', createdBy: 'user:test' }))
  const forged = encodeEnrollToken({ ...good, fingerprint: 'ab'.repeat(32) })
  const stateDir = path.join(tmp(t, 'agent'), 'state')
  await assert.rejects(enrollAgent({ token: forged, stateDir }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'AGENT_ERR_CERT_MISMATCH')
    assert.match(err.message, new RegExp(`expected ${'ab'.repeat(32)}, got ${hub.fingerprint}`))
    return true
  })
  assert.equal(isEnrolled(stateDir), false)
  // The token was never presented, so it still works with the right pin.
  const state = await enrollAgent({ token: encodeEnrollToken(good), stateDir })
  assert.equal(state.fingerprint, hub.fingerprint)
})
