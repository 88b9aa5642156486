// Notifier test helpers: alerts, a notifier bound to a test, captured JSON log lines, a webhook receiver.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import type { TestContext } from 'node:test'
import { pino } from 'pino'
import type { Alert } from '@outpost/protocol'
import type { EventEmitter } from 'node:events'
import { Notifier, type NotifierOptions } from '../../src/notify/notifier.ts'
import type { NotifierEventMap } from '../../src/notify/notify-events.ts'

export const PUBLIC_URL = 'https://hub.example.test:8443'

/** A valid critical alert on web-1; override what the test needs. */
export function alert (over: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    ruleId: 'r1',
    ruleName: 'Disk almost full',
    hostId: 'h1',
    hostName: 'web-1',
    severity: 'critical',
    state: 'firing',
    summary: 'fs.used_pct[/var] = 93.1 (≥ 90)',
    metric: 'fs.used_pct[/var]',
    value: 93.1,
    startedAt: '2026-11-21T10:00:00.000Z',
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    silenced: false,
    ...over
  }
}

/** JSON log lines written by the notifier. */
export interface LogLines { readonly lines: Array<Record<string, unknown>> }

/** A notifier with fast retries and captured logs, closed after the test. */
export function makeNotifier (t: TestContext, over: Partial<NotifierOptions> = {}): { notifier: Notifier, logs: LogLines } {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write (chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>)
      done()
    }
  })
  const notifier = new Notifier({
    smtp: null,
    groupWindowMs: 60_000,
    webhookSecret: null,
    webhookTimeoutMs: 5000,
    publicUrl: () => PUBLIC_URL,
    log: pino({ level: 'debug' }, sink),
    retry: { maxAttempts: 4, baseMs: 10, maxMs: 50 },
    ...over
  })
  t.after(() => notifier.close())
  return { notifier, logs: { lines } }
}

/** One request a webhook receiver got. */
export interface Hook { readonly headers: IncomingHttpHeaders, readonly body: string, readonly url: string }

/** A real HTTP receiver on 127.0.0.1; `status(n)` chooses the answer to the n-th request (0-based). */
export async function startReceiver (t: TestContext, status: (n: number) => number = () => 204): Promise<{ url: string, hooks: Hook[], next: (count: number) => Promise<void> }> {
  const hooks: Hook[] = []
  const waiters: Array<() => void> = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const n = hooks.length
      hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' })
      res.writeHead(status(n), status(n) >= 300 && status(n) < 400 ? { location: 'http://127.0.0.1:1/elsewhere' } : {}).end('ignored')
      for (const w of waiters.splice(0)) w()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const { port } = server.address() as AddressInfo
  /** Resolves once `count` requests arrived (bounded by the test's timeout). */
  const next = async (count: number): Promise<void> => {
    for (let i = 0; i < 1000 && hooks.length < count; i++) await new Promise<void>((resolve) => waiters.push(resolve))
  }
  return { url: `http://127.0.0.1:${port}/hook`, hooks, next }
}

/** Resolves with the first event of that name. */
export function once<K extends keyof NotifierEventMap> (emitter: EventEmitter<NotifierEventMap>, name: K): Promise<NotifierEventMap[K][0]> {
  return new Promise((resolve) => {
    emitter.once(name, ((v: NotifierEventMap[K][0]) => { resolve(v) }) as never)
  })
}
