import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { createAgent, enrollAgent, parseAgentConfig } from '@outpost/agent'
import { api, request, type TestHub } from '@outpost/testkit'
import type { Page } from 'playwright-core'

/** Hub endpoints the console needs that the hub does not serve yet (404), in the order checked. */
export async function missingHubEndpoints (hub: TestHub): Promise<string[]> {
  const missing: string[] = []
  const probe = async (method: string, p: string): Promise<void> => {
    const r = await request(hub.url, { method, path: p, headers: { 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { body: '{}' }) })
    if (r.status === 404 && (r.json === undefined || /route|not found/i.test(r.text))) missing.push(`${method} ${p}`)
  }
  await probe('GET', '/api/v1/session')
  await probe('POST', '/api/v1/session')
  const root = await request(hub.url, { path: '/hosts/x' })
  if (!/<div id="app">/.test(root.text)) missing.push('GET /hosts/x (console index.html for non-API paths)')
  return missing
}

/** Creates a console user through the admin API (a real admin token). */
export async function createUser (hub: TestHub, name: string, password: string, role: 'viewer' | 'operator' | 'admin'): Promise<void> {
  const r = await api(hub.url, hub.adminToken, '/users', { method: 'POST', body: { name, password, role } })
  if (r.status !== 201 && r.status !== 200) throw new Error(`creating user ${name}: ${r.status} ${r.text}`)
}

/** Enrolls and starts a real in-process agent; resolves once the hub acknowledged a report. */
export async function startRealAgent (t: TestContext, hub: TestHub): Promise<{ agentId: string }> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-web-agent-'))
  t.after(() => fs.rmSync(stateDir, { recursive: true, force: true }))
  const state = await enrollAgent({ token: await hub.enrollToken('web'), stateDir })
  const agent = createAgent(parseAgentConfig({ stateDir, intervalMs: 60_000, pollWaitMs: 5_000, thresholds: [], backoff: { minMs: 50, maxMs: 500 } }))
  t.after(() => agent.stop())
  const acked = once(agent, 'acked', { signal: AbortSignal.timeout(30_000) })
  await agent.start()
  await acked
  return { agentId: state.agentId }
}

/** Fills the login form and submits it. */
export async function logIn (page: Page, user: string, password: string): Promise<void> {
  await page.getByLabel('User').fill(user)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Log in' }).click()
}
