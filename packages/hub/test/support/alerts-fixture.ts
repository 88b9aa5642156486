// Alert test helpers: a real hub with an injected clock and an observable bus, a real SMTP sink,
// simulated agents that send really signed reports stamped with the hub's (injected) time.
import type { TestContext } from 'node:test'
import { HubPath, type AgentEvent, type Alert, type AlertRuleInput, type LiveEvent, type Metric } from '@outpost/protocol'
import { startHub, startSmtpSink, enrollSimulatedAgent, agentHeaders, request, api as apiCall, type TestHub, type SimulatedAgent, type SmtpSink, type Answer } from '@outpost/testkit'
import type { HubConfigInput } from '@outpost/hub'
import { MemoryBus } from '../../src/bus/memory-bus.ts'
import { BusSubject } from '../../src/bus/bus.ts'

/** Where the hub clock starts: a fixed, recent time (the agent signatures carry it). */
export const T0 = Date.parse('2026-03-01T12:00:00.000Z')

/** A hub for alert tests. */
export interface AlertHub {
  readonly f: TestHub
  readonly sink: SmtpSink
  readonly live: LiveEvent[]
  /** Moves the hub clock on. */
  advance (ms: number): void
  now (): number
  /** Resolves with the first live event (past or future) that matches; rejects after 15 s. */
  waitLive (pred: (e: LiveEvent) => boolean): Promise<LiveEvent>
  /** Resolves with the first alert event matching. */
  waitAlert (pred: (a: Alert) => boolean): Promise<Alert>
  agent (hostname: string, group?: string): Promise<SimulatedAgent>
  /** A signed report stamped with the hub clock; returns the HTTP answer. */
  report (a: SimulatedAgent, seq: number, metrics: Metric[], events?: AgentEvent[], extra?: Record<string, unknown>): Promise<Answer>
  api (path: string, opts?: { method?: string, body?: unknown, token?: string | null }): Promise<Answer>
  /** Creates a rule as admin; returns its id. */
  rule (input: Partial<AlertRuleInput> & Pick<AlertRuleInput, 'condition'>): Promise<string>
  /** Mails accepted so far whose subject includes `text`. */
  mails (text: string): number
}

/** Starts the hub (SQLite), the sink and the live event recorder for one test. */
export async function alertHub (t: TestContext, config: Partial<HubConfigInput> = {}): Promise<AlertHub> {
  let clock = T0
  const sink = await startSmtpSink()
  t.after(() => sink.cleanup())
  const bus = new MemoryBus()
  const live: LiveEvent[] = []
  const waiters = new Set<() => void>()
  bus.subscribe(BusSubject.live, (e) => {
    live.push(e as LiveEvent)
    for (const w of [...waiters]) w()
  })
  const f = await startHub({
    config: { agentIntervalMs: 60_000, notify: { smtp: { url: sink.url, from: 'hub@example.test', tlsInsecure: false }, groupWindowMs: 0 }, ...config },
    deps: { bus, now: () => clock }
  })
  t.after(async () => {
    await f.cleanup()
    await bus.close()
  })
  const waitLive = (pred: (e: LiveEvent) => boolean): Promise<LiveEvent> => new Promise((resolve, reject) => {
    const check = (): boolean => {
      const hit = live.find(pred)
      if (hit === undefined) return false
      waiters.delete(check)
      clearTimeout(timer)
      resolve(hit)
      return true
    }
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error('no matching live event within 15 s')) }, 15_000)
    if (!check()) waiters.add(check)
  })
  const api = (p: string, opts: { method?: string, body?: unknown, token?: string | null } = {}): Promise<Answer> =>
    apiCall(f.url, opts.token === undefined ? f.adminToken : opts.token, p, opts)
  return {
    f, sink, live, waitLive, api,
    advance: (ms) => { clock += ms },
    now: () => clock,
    waitAlert: async (pred) => ((await waitLive(e => e.type === 'alert' && pred(e.alert))) as Extract<LiveEvent, { type: 'alert' }>).alert,
    agent: async (hostname, group = 'default') => enrollSimulatedAgent(f.url, await f.enrollToken(group), hostname),
    report: (a, seq, metrics, events = [], extra = {}) => {
      const body = JSON.stringify({ type: 'report', seq, time: clock, metrics, events, ...extra })
      return request(f.url, { method: 'POST', path: HubPath.AgentMessages, headers: agentHeaders(a, body, { now: clock }), body })
    },
    rule: async (input) => {
      const res = await api('/alert-rules', {
        method: 'POST',
        body: { name: 'test rule', enabled: true, severity: 'critical', scope: { type: 'all' }, notify: { emails: ['ops@example.test'], webhooks: [] }, repeatIntervalMs: 0, ...input }
      })
      if (res.status !== 201) throw new Error(`rule not created: ${res.status} ${res.text}`)
      return res.json.id as string
    },
    mails: (text) => sink.messages.filter(m => m.subject?.includes(text) === true).length
  }
}
