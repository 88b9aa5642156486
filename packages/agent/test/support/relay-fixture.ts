// A real hub and real agents, some of them relays for the others, all on loopback.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { startHub, api, type TestHub } from '@outpost/testkit'
import type { HubConfigInput } from '@outpost/hub'
import { createAgent, enrollAgent, parseAgentConfig, type Agent } from '@outpost/agent'

type T = { after: (fn: () => unknown) => void }

/** A started agent and, for a relay, its `relay://` URL. */
export interface SiteAgent { readonly agent: Agent, readonly stateDir: string, readonly agentId: string, readonly relayUrl: string | undefined }

export async function siteHub (t: T, config: Partial<HubConfigInput> = {}): Promise<TestHub> {
  const hub = await startHub({ config })
  t.after(() => hub.cleanup())
  return hub
}

export function tempDir (t: T): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-relay-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * Enrolls (through `upstreams` when given) and starts an agent; with `relayPort` it relays on
 * 127.0.0.1 (0: any free port). Reuse `stateDir` to restart a stopped agent. `intervalMs`: its
 * reporting interval (default a minute); `hostname`: the name it enrolls with.
 */
export async function startSiteAgent (t: T, hub: TestHub, opts: { upstreams?: string[], relayPort?: number, stateDir?: string, intervalMs?: number, hostname?: string } = {}): Promise<SiteAgent> {
  const upstreams = opts.upstreams ?? []
  // The agent stops before its directory goes (after-hooks run in the order they were added).
  const ownDir = opts.stateDir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-relay-')) : undefined
  const stateDir = opts.stateDir ?? path.join(ownDir!, 'state')
  if (opts.stateDir === undefined) await enrollAgent({ token: await hub.enrollToken(), stateDir, upstreams, ...(opts.hostname === undefined ? {} : { hostname: opts.hostname }) })
  const agent = createAgent(parseAgentConfig({
    stateDir, intervalMs: opts.intervalMs ?? 60_000, pollWaitMs: 5_000, thresholds: [], backoff: { minMs: 50, maxMs: 300 }, upstreams, upstreamRetryMs: 200,
    ...(opts.relayPort === undefined ? {} : { relayListen: `127.0.0.1:${opts.relayPort}` })
  }))
  t.after(async () => {
    await agent.stop()
    if (ownDir !== undefined) fs.rmSync(ownDir, { recursive: true, force: true })
  })
  const acked = once(agent, 'acked', { signal: AbortSignal.timeout(20_000) })
  await agent.start()
  await acked
  const port = agent.relay?.address.port
  return { agent, stateDir, agentId: agent.agentId!, relayUrl: port === undefined ? undefined : `relay://127.0.0.1:${port}` }
}

/** Runs an exec on a host through the operator API and returns its final status. */
export async function exec (hub: TestHub, agentId: string, script: string): Promise<{ status: string, stdout: string, hostId: string }> {
  const created = await api(hub.url, hub.adminToken, `/hosts/${agentId}/commands`, { method: 'POST', body: { type: 'exec', argv: [process.execPath, '-e', script] } })
  assert.equal(created.status, 201, created.text)
  const done = await api(hub.url, hub.adminToken, `/commands/${created.json.id as string}?wait=30000`)
  assert.equal(done.status, 200, done.text)
  return done.json
}

/** Polls `cond` until it holds (bounded: a hang fails the test rather than timing it). */
export async function until (cond: () => boolean | Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`gave up waiting for ${what}`)
    await sleep(50)
  }
}
