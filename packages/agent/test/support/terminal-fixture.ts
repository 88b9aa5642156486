// A real hub and a real in-process agent for live-session tests, operator logins (cookie + CSRF),
// and an operator's terminal socket that collects what the shell prints.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import WebSocket from 'ws'
import { startHub, api, request, type Answer, type TestHub } from '@outpost/testkit'
import { createAgent, enrollAgent, parseAgentConfig } from '@outpost/agent'

export const PASSWORD = 'correct horse battery'
type T = { after: (fn: () => unknown) => void }

/** Starts a hub and an agent (`transport: http` forces the session's POST fallback). */
export async function terminalHost (t: T, opts: { policy?: string, transport?: 'auto' | 'http' } = {}): Promise<{ hub: TestHub, agentId: string }> {
  const hub = await startHub()
  t.after(() => hub.cleanup())
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-term-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const stateDir = path.join(dir, 'state')
  let policyFile: string | null = null
  if (opts.policy !== undefined) {
    policyFile = path.join(dir, 'policy.json')
    fs.writeFileSync(policyFile, opts.policy, { mode: 0o600 })
  }
  const { agentId } = await enrollAgent({ token: await hub.enrollToken(), stateDir })
  const agent = createAgent(parseAgentConfig({ stateDir, policyFile, transport: opts.transport ?? 'auto', intervalMs: 60_000, pollWaitMs: 5_000, thresholds: [], backoff: { minMs: 50, maxMs: 500 }, logLevel: 'silent' }))
  t.after(() => agent.stop())
  await agent.start()
  await once(agent, 'acked', { signal: AbortSignal.timeout(20_000) })
  return { hub, agentId }
}

/** A logged-in console user. */
export interface Operator { readonly name: string, readonly cookie: string, readonly csrf: string }

/** Creates a user with the admin token and logs in. */
export async function operator (hub: TestHub, name: string, role: 'viewer' | 'operator' | 'admin'): Promise<Operator> {
  const made = await api(hub.url, hub.adminToken, '/users', { method: 'POST', body: { name, password: PASSWORD, role } })
  assert.equal(made.status, 201, made.text)
  const res = await request(hub.url, { method: 'POST', path: '/api/v1/session', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: name, password: PASSWORD }) })
  assert.equal(res.status, 200, res.text)
  const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? ''
  return { name, cookie, csrf: res.json.csrfToken }
}

/** An operator API call with the user's cookie and CSRF token. */
export function asUser (hub: TestHub, who: Operator, method: string, p: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { cookie: who.cookie, 'x-csrf-token': who.csrf }
  if (body !== undefined) headers['content-type'] = 'application/json'
  return request(hub.url, { method, path: `/api/v1${p}`, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
}

/** An operator's terminal socket: what came as bytes (as text) and as control frames. */
export interface Terminal {
  readonly ws: WebSocket
  text (): string
  readonly controls: Array<Record<string, unknown>>
  /** Resolves once the output contains `needle` (bounded). */
  waitFor (needle: string | RegExp, what?: string): Promise<void>
  /** Resolves once a control frame of type `t` came (bounded). */
  waitControl (t: string): Promise<Record<string, unknown>>
  type (s: string): void
  readonly closed: Promise<number>
}

/** Joins a session's socket; rejects with the HTTP status when the hub refuses the upgrade. */
export function join (hub: TestHub, sessionId: string, auth: { cookie?: string, origin?: string, bearer?: string }): Promise<Terminal> {
  const u = new URL(hub.url)
  const headers: Record<string, string> = {}
  if (auth.cookie !== undefined) headers.cookie = auth.cookie
  if (auth.origin !== undefined) headers.origin = auth.origin
  if (auth.bearer !== undefined) headers.authorization = `Bearer ${auth.bearer}`
  const ws = new WebSocket(`wss://${u.host}/api/v1/sessions/${sessionId}/ws`, { headers, rejectUnauthorized: false })
  let out = ''
  const controls: Array<Record<string, unknown>> = []
  const waiters = new Set<() => void>()
  const poke = (): void => { for (const w of [...waiters]) w() }
  ws.on('message', (data, isBinary) => {
    if (isBinary) out += Buffer.from(data as Buffer).toString('utf8')
    else controls.push(JSON.parse(String(data)))
    poke()
  })
  const closed = new Promise<number>((resolve) => { ws.once('close', (code) => { poke(); resolve(code) }) })
  const until = <R>(test: () => R | undefined, what: string): Promise<R> => new Promise((resolve, reject) => {
    const check = (): void => {
      const r = test()
      if (r === undefined) return
      waiters.delete(check)
      clearTimeout(timer)
      resolve(r)
    }
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out waiting for ${what}; output so far: ${JSON.stringify(out.slice(-500))}, controls: ${JSON.stringify(controls)}`)) }, 20_000)
    waiters.add(check)
    check()
  })
  const term: Terminal = {
    ws,
    text: () => out,
    controls,
    waitFor: (needle, what) => until(() => (typeof needle === 'string' ? out.includes(needle) : needle.test(out)) ? true : undefined, what ?? String(needle)).then(() => undefined),
    waitControl: (t) => until(() => controls.find(c => c.t === t), `control ${t}`),
    type: (s) => { ws.send(Buffer.from(s)) },
    closed
  }
  return new Promise((resolve, reject) => {
    ws.once('open', () => { resolve(term) })
    ws.once('unexpected-response', (_req, res) => {
      const err = Object.assign(new Error(`upgrade refused: ${res.statusCode ?? 0}`), { status: res.statusCode })
      res.resume()
      reject(err)
    })
    ws.once('error', reject)
  })
}
