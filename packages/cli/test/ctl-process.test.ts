// `outpost ctl ps` and `outpost ctl kill` end to end: hub and agent processes, a process to find
// and signal, and the refusals reaching the operator as a non-zero exit with the error on stderr.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { adminToken, ctl, eventually, startAgentProcess, startHubProcess, tempDir } from './support.ts'

test('ctl ps lists the host\'s processes and ctl kill signals one; refusals exit non-zero', async (t) => {
  const hub = await startHubProcess(t)
  const apiToken = await adminToken(hub, ['api-token', '--name', 'ops', '--role', 'operator'])
  const enroll = await adminToken(hub, ['enroll-token', '--ttl', '10m'])
  const agent = await startAgentProcess(t, ['--enroll', enroll, '--state', path.join(tempDir(t), 'agent'), '--interval', '60s'])
  const host = await eventually(async () => {
    const r = await ctl(hub, apiToken, ['hosts', '--json'])
    return (JSON.parse(r.stdout) as Array<{ id: string, status: string }>).find((h) => h.status === 'online')
  }, 'the agent to come online')

  const child = spawn('sleep', ['60'], { stdio: 'ignore' })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const pid = child.pid
  assert.ok(pid !== undefined)

  const table = await ctl(hub, apiToken, ['ps', host.id])
  assert.equal(table.code, 0, table.stderr)
  const lines = table.stdout.trimEnd().split('\n')
  assert.match(lines[0] ?? '', /^\s*PID\s+USER\s+STATE\s+%CPU\s+MEM\s+COMMAND$/)
  const row = lines.find((l) => l.trimStart().startsWith(`${pid} `))
  assert.ok(row !== undefined, `a row for pid ${pid} in:\n${table.stdout}`)
  assert.match(row, /\ssleep 60$/)

  const json = await ctl(hub, apiToken, ['--json', 'ps', host.id])
  assert.equal(json.code, 0, json.stderr)
  const list = JSON.parse(json.stdout) as Array<{ pid: number, ppid: number, command: string }>
  assert.equal(list.find((p) => p.pid === pid)?.command, 'sleep 60')
  assert.ok(list.some((p) => p.pid === agent.pid), 'the agent process is listed')

  const bad = await ctl(hub, apiToken, ['kill', host.id, String(pid), '--signal', 'SIGSTOP'])
  assert.equal(bad.code, 2, 'an unknown signal is a usage error')
  assert.match(bad.stderr, /--signal must be one of/)
  const init = await ctl(hub, apiToken, ['kill', host.id, '1'])
  assert.equal(init.code, 2, 'pid 1 is refused before anything is sent')
  assert.match(init.stderr, /PID must be an integer ≥ 2/)

  const self = await ctl(hub, apiToken, ['kill', host.id, String(agent.pid), '--signal', 'SIGKILL'])
  assert.equal(self.code, 1)
  assert.match(self.stderr, /command rejected: AGENT_ERR_POLICY_DENIED: .*agent itself/)

  const killed = await ctl(hub, apiToken, ['kill', host.id, String(pid)])
  assert.equal(killed.code, 0, killed.stderr)
  assert.deepEqual(await exited, [null, 'SIGTERM'])
  const gone = await ctl(hub, apiToken, ['kill', host.id, String(pid)])
  assert.equal(gone.code, 1)
  assert.match(gone.stderr, /command failed: AGENT_ERR_NO_SUCH_PROCESS/)
  assert.equal(await agent.stop(), 0, 'the agent survived and stops cleanly')
})

test('ctl ps exits non-zero with the error when the agent\'s policy lacks the process class', async (t) => {
  const hub = await startHubProcess(t)
  const apiToken = await adminToken(hub, ['api-token', '--name', 'ops', '--role', 'operator'])
  const enroll = await adminToken(hub, ['enroll-token', '--ttl', '10m'])
  const dir = tempDir(t)
  const policyFile = path.join(dir, 'policy.json')
  fs.writeFileSync(policyFile, '{"operations":["exec"]}', { mode: 0o600 })
  await startAgentProcess(t, ['--enroll', enroll, '--state', path.join(dir, 'agent'), '--interval', '60s', '--policy', policyFile])
  const host = await eventually(async () => {
    const r = await ctl(hub, apiToken, ['hosts', '--json'])
    return (JSON.parse(r.stdout) as Array<{ id: string, status: string }>).find((h) => h.status === 'online')
  }, 'the agent to come online')
  const ps = await ctl(hub, apiToken, ['ps', host.id])
  assert.equal(ps.code, 1)
  assert.equal(ps.stdout, '')
  assert.match(ps.stderr, /command rejected: AGENT_ERR_POLICY_DENIED: .*process operation class/)
})
