// A real hub and a real in-process agent (optionally with a local policy file), and a way to run
// a command through the operator API and wait for its final status.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { pino } from 'pino'
import { startHub, api, type TestHub } from '@outpost/testkit'
import { createAgent, enrollAgent, parseAgentConfig } from '@outpost/agent'

/** A command's final status as the operator API reports it. */
export interface Done { id: string, status: string, stdout: string, exitCode: number | null, truncated: boolean, error: { code: string, message: string } | null }

/** Starts both; everything is cleaned up after the test. */
export async function runningAgent (t: { after: (fn: () => unknown) => void }, policyText: string | null): Promise<{ hub: TestHub, agentId: string, logs: Array<Record<string, unknown>>, command: (body: Record<string, unknown>) => Promise<Done> }> {
  const hub = await startHub()
  t.after(() => hub.cleanup())
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-agent-e2e-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const stateDir = path.join(dir, 'state')
  let policyFile: string | null = null
  if (policyText !== null) {
    policyFile = path.join(dir, 'policy.json')
    fs.writeFileSync(policyFile, policyText, { mode: 0o600 })
  }
  const { agentId } = await enrollAgent({ token: await hub.enrollToken(), stateDir })
  const logs: Array<Record<string, unknown>> = []
  const logger = pino({ level: 'info' }, { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>) } })
  const agent = createAgent(parseAgentConfig({ stateDir, policyFile, intervalMs: 60_000, pollWaitMs: 5_000, thresholds: [], backoff: { minMs: 50, maxMs: 500 } }), { logger })
  t.after(() => agent.stop())
  await agent.start()
  await once(agent, 'acked', { signal: AbortSignal.timeout(20_000) })
  const command = async (body: Record<string, unknown>): Promise<Done> => {
    const created = await api(hub.url, hub.adminToken, `/hosts/${agentId}/commands`, { method: 'POST', body })
    assert.equal(created.status, 201, created.text)
    const done = await api(hub.url, hub.adminToken, `/commands/${created.json.id as string}?wait=30000`)
    assert.equal(done.status, 200, done.text)
    return { id: created.json.id, ...done.json }
  }
  return { hub, agentId, logs, command }
}
