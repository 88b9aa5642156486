// Console test helpers: users made over the API, logins that keep the cookie and CSRF token,
// raw requests, a settable clock, and the console's event stream read in order.
import https from 'node:https'
import type { IncomingMessage } from 'node:http'
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { openSse, request, type Answer, type SseEvent } from '@outpost/testkit'
import type { HubFixture } from './hub-fixture.ts'

/** Twelve characters at least, as `CreateUserRequest` wants. */
export const PASSWORD = 'correct horse battery'

/** A clock the test moves; starts at the real time so that tokens and agents behave. */
export function testClock (): { now: () => number, advance: (ms: number) => void } {
  let t = Date.now()
  return { now: () => t, advance: (ms) => { t += ms } }
}

/** Creates a user with the fixture's admin API token. */
export async function createUser (f: HubFixture, name: string, role: 'viewer' | 'operator' | 'admin', extra: Record<string, unknown> = {}): Promise<void> {
  const res = await call(f, 'POST', '/api/v1/users', { bearer: f.adminToken, body: { name, password: PASSWORD, role, ...extra } })
  assert.equal(res.status, 201, res.text)
}

/** A logged-in browser: its cookie header and CSRF token. */
export interface Browser {
  readonly cookie: string
  readonly csrf: string
  readonly login: Answer
}

/** Logs in; fails the test unless the hub answered 200. */
export async function login (f: HubFixture, user: string, password = PASSWORD, totp?: string): Promise<Browser> {
  const res = await tryLogin(f, user, password, totp)
  assert.equal(res.status, 200, res.text)
  const setCookie = res.headers['set-cookie']?.[0] ?? ''
  return { cookie: setCookie.split(';')[0] ?? '', csrf: res.json.csrfToken, login: res }
}

/** `POST /api/v1/session` as it comes. */
export function tryLogin (f: HubFixture, user: string, password: string, totp?: string): Promise<Answer> {
  return call(f, 'POST', '/api/v1/session', { body: { user, password, ...(totp === undefined ? {} : { totp }) } })
}

/** A request with a session cookie (and its CSRF token unless `csrf` is given), or a bearer token. */
export function call (f: HubFixture, method: string, path: string, o: { browser?: Browser, csrf?: string | null, bearer?: string, body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (o.browser !== undefined) headers.cookie = o.browser.cookie
  const csrf = o.csrf === undefined ? o.browser?.csrf : o.csrf
  if (csrf !== undefined && csrf !== null) headers['x-csrf-token'] = csrf
  if (o.bearer !== undefined) headers.authorization = `Bearer ${o.bearer}`
  if (o.body !== undefined) headers['content-type'] = 'application/json'
  return request(f.url, { method, path, headers, ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }) })
}

/** A GET whose path goes out exactly as written (no URL normalisation of `..`). */
export function rawGet (f: HubFixture, path: string): Promise<Answer> {
  const u = new URL(f.url)
  return new Promise((resolve, reject) => {
    const req = https.request({ host: u.hostname, port: u.port, path, method: 'GET', rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: unknown
        try { json = JSON.parse(text) } catch { json = undefined } // not JSON: callers read `text`
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** An open `GET /api/v1/events` stream; `next` waits (bounded) for an event matching `pred`. */
export interface EventStream {
  readonly status: number
  readonly headers: IncomingMessage['headers']
  /** Consumes events up to and including the first later one matching `pred`. */
  next (pred: (e: SseEvent) => boolean, what: string): Promise<SseEvent>
  /** Resolves when the hub ends the stream. */
  readonly ended: Promise<void>
  close (): void
}

/** Opens the event stream with a session cookie or a bearer token; closed by `t.after`. */
export async function openEvents (t: TestContext, f: HubFixture, auth: { browser?: Browser, bearer?: string }): Promise<EventStream> {
  const headers: Record<string, string> = {}
  if (auth.browser !== undefined) headers.cookie = auth.browser.cookie
  if (auth.bearer !== undefined) headers.authorization = `Bearer ${auth.bearer}`
  const sse = await openSse(f.url, '/api/v1/events', headers)
  t.after(() => { sse.close() })
  // Events before `consumed` were handed out (or skipped) by an earlier `next`.
  let consumed = 0
  return {
    status: sse.status,
    headers: sse.headers,
    ended: sse.ended,
    close: () => { sse.close() },
    next: async (pred, what) => {
      const e = await sse.next((x) => sse.events.indexOf(x) >= consumed && pred(x), what, 10_000)
      consumed = sse.events.indexOf(e) + 1
      return e
    }
  }
}
