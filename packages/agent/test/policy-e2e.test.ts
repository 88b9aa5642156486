// A real hub and a real agent: what the local policy refuses comes back to the operator API as
// `rejected` with AGENT_ERR_POLICY_DENIED, and both sides audit it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { pino } from 'pino'
import { startHub, api } from '@outpost/testkit'
import { createAgent, enrollAgent, parseAgentConfig } from '@outpost/agent'

async function runningAgent (t: { after: (fn: () => unknown) => void }, policyText: string | null) {
  const hub = await startHub()
  t.after(() => hub.cleanup())
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-policy-e2e-'))
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
  /** Queues an exec through the operator API and waits for its final status. */
  const exec = async (argv: string[]): Promise<{ id: string, status: string, error: { code: string, message: string } | null }> => {
    const created = await api(hub.url, hub.adminToken, `/hosts/${agentId}/commands`, { method: 'POST', body: { type: 'exec', argv } })
    assert.equal(created.status, 201, created.text)
    const done = await api(hub.url, hub.adminToken, `/commands/${created.json.id as string}?wait=30000`)
    assert.equal(done.status, 200, done.text)
    return { id: created.json.id, status: done.json.status, error: done.json.error ?? null }
  }
  return { hub, exec, logs }
}

test('an exec the policy denies comes back rejected with AGENT_ERR_POLICY_DENIED and is audited on both sides', async (t) => {
  const { hub, exec, logs } = await runningAgent(t, '{"exec":{"allow":["uptime"]}}')
  const r = await exec([process.execPath, '-e', 'console.log(1)'])
  assert.equal(r.status, 'rejected')
  assert.equal(r.error?.code, 'AGENT_ERR_POLICY_DENIED')
  assert.match(r.error?.message ?? '', /exec\.allow/)
  const agentAudit = logs.find((l) => l.audit === 'policy-denied' && l.instructionId === r.id)
  assert.ok(agentAudit !== undefined, 'agent audit line')
  assert.match(String(agentAudit.issuer), /.+/)
  const audit = await api(hub.url, hub.adminToken, `/audit?action=command.result&target=command:${r.id}`)
  assert.equal(audit.status, 200, audit.text)
  assert.equal(audit.json.length, 1)
  assert.equal(audit.json[0].result, 'rejected')
  assert.equal(audit.json[0].detail.code, 'AGENT_ERR_POLICY_DENIED')
})

test('cat /etc/shadow is rejected under the default policy, other commands still run', async (t) => {
  const { exec } = await runningAgent(t, null)
  const r = await exec(['cat', '/etc/shadow'])
  assert.equal(r.status, 'rejected')
  assert.equal(r.error?.code, 'AGENT_ERR_POLICY_DENIED')
  assert.match(r.error?.message ?? '', /\/etc\/shadow/)
  const ok = await exec([process.execPath, '-e', 'process.exit(0)'])
  assert.equal(ok.status, 'completed')
})

test('a bad policy file stops the agent at start with AGENT_ERR_POLICY', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-policy-bad-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const policyFile = path.join(dir, 'policy.json')
  fs.writeFileSync(policyFile, '{"exec":"any","surprise":true}', { mode: 0o600 })
  const agent = createAgent(parseAgentConfig({ stateDir: path.join(dir, 'state'), policyFile }))
  await assert.rejects(agent.start(), { code: 'AGENT_ERR_POLICY' })
})
