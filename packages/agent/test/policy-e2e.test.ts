// A real hub and a real agent: what the local policy refuses comes back to the operator API as
// `rejected` with AGENT_ERR_POLICY_DENIED, and both sides audit it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { api } from '@outpost/testkit'
import { createAgent, parseAgentConfig } from '@outpost/agent'
import { runningAgent } from './support/running-agent.ts'

/** Runs an exec through the operator API and waits for its final status. */
async function withExec (t: { after: (fn: () => unknown) => void }, policyText: string | null) {
  const { hub, logs, command } = await runningAgent(t, policyText)
  return { hub, logs, exec: (argv: string[]) => command({ type: 'exec', argv }) }
}

test('an exec the policy denies comes back rejected with AGENT_ERR_POLICY_DENIED and is audited on both sides', async (t) => {
  const { hub, exec, logs } = await withExec(t, '{"exec":{"allow":["uptime"]}}')
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
  const { exec } = await withExec(t, null)
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

test('the hub reads the policy the agent runs under from its inventory, and no instruction can change it', async (t) => {
  const { hub, agentId, command } = await runningAgent(t, '{"exec":"deny","operations":["files.read","files.write"],"protectedPaths":["/srv/secret/**"],"maxUploadBytes":1024}')
  const detail = await api(hub.url, hub.adminToken, `/hosts/${agentId}`)
  assert.equal(detail.status, 200, detail.text)
  const policy = detail.json.inventory.policy
  assert.match(policy.file, /policy\.json$/)
  assert.equal(policy.exec, 'deny')
  assert.deepEqual(policy.operations, ['files.read', 'files.write'])
  assert.equal(policy.maxUploadBytes, 1024)
  assert.ok(policy.protectedPaths.includes('/srv/secret/**'))
  assert.ok(policy.protectedPaths.includes('/etc/shadow'), 'built-in protections are reported too')
  // The policy file is protected like the agent's state: writing it through the agent is refused.
  const write = await command({ type: 'file-write', path: policy.file, contentBase64: Buffer.from('{"exec":"any"}').toString('base64') })
  assert.equal(write.status, 'rejected')
  assert.equal(write.error?.code, 'AGENT_ERR_POLICY_DENIED')
})
