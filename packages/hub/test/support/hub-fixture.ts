// Hub test helpers: the testkit's hub and simulated agent, bound to one node:test context.
import type { TestContext } from 'node:test'
import type { HubConfigInput, HubDeps } from '@outpost/hub'
import {
  startHub as startTestHub, enrollSimulatedAgent, sendSigned as sendSignedTo, api as apiCall,
  type TestHub, type SimulatedAgent, type Answer
} from '@outpost/testkit'

export { request, postJson, agentHeaders, enrollBody, type Answer } from '@outpost/testkit'
export type HubFixture = TestHub
export type TestAgent = SimulatedAgent

/** Starts a real hub (real SQLite store) for one test; closed by `t.after`. */
export async function startHub (t: TestContext, overrides: Partial<HubConfigInput> = {}, deps: Omit<HubDeps, 'logger'> = {}): Promise<HubFixture> {
  const f = await startTestHub({ config: overrides, deps })
  t.after(() => f.cleanup())
  return f
}

/** Enrolls a new agent with a fresh token. */
export async function enrollAgent (f: HubFixture, hostname = 'web-1'): Promise<TestAgent> {
  return enrollSimulatedAgent(f.url, await f.enrollToken(), hostname)
}

/** POSTs a signed agent message. */
export function sendSigned (f: HubFixture, agent: TestAgent, message: unknown): Promise<Answer> {
  return sendSignedTo(f.url, agent, message)
}

/** An operator API call with a bearer token (default: the fixture's admin token; `null`: none). */
export function api (f: HubFixture, p: string, opts: { method?: string, token?: string | null, body?: unknown } = {}): Promise<Answer> {
  return apiCall(f.url, opts.token === undefined ? f.adminToken : opts.token, p, opts)
}

/** A minimal valid report. */
export function report (seq: number, value = 1.5): Record<string, unknown> {
  // Distinct agent times per seq: the store keys metric points by time.
  return { type: 'report', seq, time: Date.now() - 100_000 + seq, metrics: [{ name: 'cpu.util_pct', value }] }
}
