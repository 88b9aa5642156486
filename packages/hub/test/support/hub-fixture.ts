import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import https from 'node:https'
import type { TestContext } from 'node:test'
import { pino } from 'pino'
import {
  AgentHeader, HubPath, PROTOCOL_VERSION, enrollSigningString, generateSigningKeyPair, signBytes, signRequest,
  type SigningKeyPair
} from '@outpost/protocol'
import { createHub, parseHubConfig, type Hub, type HubConfigInput, type HubDeps } from '@outpost/hub'

/** A started hub on 127.0.0.1 with a temporary data directory, closed by `t.after`. */
export interface HubFixture {
  readonly hub: Hub
  readonly url: string
  readonly dataDir: string
  readonly adminToken: string
  /** Log lines the hub wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>
}

/** Starts a real hub (real SQLite store) for one test. */
export async function startHub (t: TestContext, overrides: Partial<HubConfigInput> = {}, deps: Omit<HubDeps, 'logger'> = {}): Promise<HubFixture> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-'))
  const logs: Array<Record<string, unknown>> = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => { logs.push(JSON.parse(line)) } })
  const config = parseHubConfig({ dataDir, listen: { host: '127.0.0.1', port: 0 }, ...overrides })
  const hub = createHub(config, { ...deps, logger })
  t.after(async () => {
    await hub.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })
  const { url } = await hub.listen()
  const adminToken = await hub.createApiToken({ name: 'test-admin', role: 'admin' })
  return { hub, url, dataDir, adminToken, logs }
}

/** An HTTP answer with its body parsed when it is JSON. */
export interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly text: string
  readonly json: any
}

/** One HTTPS request to the hub (self-signed certificate accepted; pinning is tested apart). */
export function request (url: string, opts: { method?: string, path: string, headers?: Record<string, string>, body?: string | Buffer, agent?: https.Agent }): Promise<Answer> {
  const u = new URL(opts.path, url)
  return new Promise((resolve, reject) => {
    const req = https.request(u, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, rejectUnauthorized: false, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: unknown
        try {
          json = text === '' ? undefined : JSON.parse(text)
        } catch {
          // Not JSON: the test looks at `text`.
          json = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}

/** A test agent: a real key pair and the id the hub gave it. */
export interface TestAgent {
  readonly agentId: string
  readonly keys: SigningKeyPair
  readonly hubKey: string
}

/** The enrollment request a real agent would send. */
export function enrollBody (token: string, keys: SigningKeyPair, hostname = 'web-1'): Record<string, unknown> {
  const tokenId = tokenIdOf(token)
  return {
    type: 'enroll', token, publicKey: keys.publicKey, hostname, protocolVersion: PROTOCOL_VERSION, capabilities: ['ws', 'batch'],
    proof: signBytes(keys.privateKey, enrollSigningString(tokenId, keys.publicKey, hostname))
  }
}

function tokenIdOf (token: string): string {
  return JSON.parse(Buffer.from(token.slice('opt1_'.length), 'base64url').toString('utf8')).id
}

/** Enrolls a new agent with a fresh token. */
export async function enrollAgent (f: HubFixture, hostname = 'web-1'): Promise<TestAgent> {
  const token = await f.hub.createEnrollToken({ ttlMs: 60_000, group: 'default', createdBy: 'test' })
  const keys = generateSigningKeyPair()
  const res = await postJson(f.url, HubPath.AgentEnroll, enrollBody(token, keys, hostname))
  if (res.status !== 200) throw new Error(`enrollment failed: ${res.status} ${res.text}`)
  return { agentId: res.json.agentId, keys, hubKey: res.json.hubKey }
}

/** POSTs JSON without signing. */
export function postJson (url: string, p: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(url, { method: 'POST', path: p, headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
}

/** Signature headers for a body, as a real agent makes them. */
export function agentHeaders (agent: TestAgent, body: string | Buffer, opts: { path?: string, now?: number } = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    [AgentHeader.Protocol]: String(PROTOCOL_VERSION),
    ...signRequest(agent.keys.privateKey, { method: 'POST', path: opts.path ?? HubPath.AgentMessages, agentId: agent.agentId, body }, opts.now)
  }
}

/** POSTs a signed agent message. */
export function sendSigned (f: HubFixture, agent: TestAgent, message: unknown): Promise<Answer> {
  const body = typeof message === 'string' ? message : JSON.stringify(message)
  return request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers: agentHeaders(agent, body), body })
}

/** An operator API call with a bearer token. */
export function api (f: HubFixture, p: string, opts: { method?: string, token?: string | null, body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {}
  const token = opts.token === undefined ? f.adminToken : opts.token
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  return request(f.url, { method: opts.method ?? 'GET', path: `/api/v1${p}`, headers, ...(opts.body === undefined ? {} : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }) })
}

/** A minimal valid report. */
export function report (seq: number, value = 1.5): Record<string, unknown> {
  // Distinct agent times per seq: the store keys metric points by time.
  return { type: 'report', seq, time: Date.now() - 100_000 + seq, metrics: [{ name: 'cpu.util_pct', value }] }
}
