// A real hub and a real in-process agent: `process-list` and `process-signal` through the operator
// API, the `process` operation class of the local policy, and the targets never allowed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { api } from '@outpost/testkit'
import { parseJson, ProcessList } from '@outpost/protocol'
import { runningAgent } from './support/running-agent.ts'
import { checkSignalTarget, processListOutput } from '../src/executor/process-ops.ts'
import { UserNames } from '../src/collectors/user-names.ts'

/** A `sleep 60` child, killed after the test if it still runs. */
function sleeper (t: { after: (fn: () => unknown) => void }) {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  assert.ok(child.pid !== undefined)
  return { child, pid: child.pid, exited }
}

test('process-list shows a spawned process and process-signal SIGTERM ends it', async (t) => {
  const { command, logs } = await runningAgent(t, null)
  const { pid, exited } = sleeper(t)
  const list = await command({ type: 'process-list' })
  assert.equal(list.status, 'completed', JSON.stringify(list.error))
  assert.equal(list.truncated, false)
  const processes = parseJson(ProcessList, list.stdout)
  const mine = processes.find((p) => p.pid === pid)
  assert.ok(mine !== undefined, 'the spawned sleep is listed')
  assert.equal(mine.command, 'sleep 60')
  assert.equal(mine.name, 'sleep')
  assert.equal(mine.ppid, process.pid)
  assert.equal(mine.user, os.userInfo().username)
  assert.match(mine.state, /^[RSD]$/)
  assert.ok(processes.some((p) => p.pid === process.pid), 'the agent process itself is listed')
  assert.deepEqual(processes.map((p) => p.pid), processes.map((p) => p.pid).toSorted((a, b) => a - b))

  const sig = await command({ type: 'process-signal', pid, signal: 'SIGTERM' })
  assert.equal(sig.status, 'completed', JSON.stringify(sig.error))
  assert.equal(sig.exitCode, 0)
  assert.equal(sig.stdout, '')
  const [code, signal] = await exited
  assert.equal(code, null)
  assert.equal(signal, 'SIGTERM')
  assert.ok(logs.some((l) => l.audit === 'process-signal' && l.pid === pid && l.signal === 'SIGTERM'), 'the agent audits the signal')

  // The process is gone now (reaped by the exit event): the agent reports it as failed.
  const again = await command({ type: 'process-signal', pid, signal: 'SIGKILL' })
  assert.equal(again.status, 'failed')
  assert.equal(again.error?.code, 'AGENT_ERR_NO_SUCH_PROCESS')
  assert.match(again.error?.message ?? '', /ESRCH/)
})

test('pid 1, pid 0, negative pids and the agent itself are never signalled', async (t) => {
  const { hub, agentId, command } = await runningAgent(t, null)
  for (const pid of [1, 0, -1]) {
    const r = await api(hub.url, hub.adminToken, `/hosts/${agentId}/commands`, { method: 'POST', body: { type: 'process-signal', pid, signal: 'SIGKILL' } })
    assert.equal(r.status, 400, `pid ${pid}: ${r.text}`)
  }
  // The in-process agent runs in this test's process: a SIGKILL reaching it would end the test run.
  const self = await command({ type: 'process-signal', pid: process.pid, signal: 'SIGKILL' })
  assert.equal(self.status, 'rejected')
  assert.equal(self.error?.code, 'AGENT_ERR_POLICY_DENIED')
  assert.match(self.error?.message ?? '', /agent itself/)
  // Defence in depth below the schema: the agent's own check refuses init too.
  assert.match(checkSignalTarget({ type: 'process-signal', pid: 1, signal: 'SIGTERM' }, 999)?.message ?? '', /pid 1/)
  assert.equal(checkSignalTarget({ type: 'process-signal', pid: 2, signal: 'SIGTERM' }, 999), undefined)
})

test('a policy whose operations lack "process" refuses both list and signal', async (t) => {
  const { command, logs } = await runningAgent(t, '{"operations":["exec"]}')
  const { child, pid } = sleeper(t)
  const list = await command({ type: 'process-list' })
  assert.equal(list.status, 'rejected')
  assert.equal(list.error?.code, 'AGENT_ERR_POLICY_DENIED')
  assert.match(list.error?.message ?? '', /process operation class/)
  assert.equal(list.stdout, '')
  const sig = await command({ type: 'process-signal', pid, signal: 'SIGTERM' })
  assert.equal(sig.status, 'rejected')
  assert.equal(sig.error?.code, 'AGENT_ERR_POLICY_DENIED')
  assert.equal(child.exitCode, null)
  assert.equal(child.signalCode, null, 'the process was not signalled')
  assert.ok(logs.some((l) => l.audit === 'policy-denied' && l.instructionId === sig.id && l.rule === 'operations'))
})

/** A fixture /proc with three processes and a passwd file naming uid 0. */
function fixtureProc (t: { after: (fn: () => unknown) => void }): { root: string, users: UserNames } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-proc-'))
  t.after(() => fs.rmSync(root, { recursive: true, force: true }))
  fs.writeFileSync(path.join(root, 'uptime'), '1000.00 900.00\n')
  fs.writeFileSync(path.join(root, 'passwd'), 'root:x:0:0::/root:/bin/sh\n')
  for (const [pid, ppid, comm, cmd] of [[12, 1, 'b (x)', 'b\0--y\0'], [3, 0, 'kworker', ''], [40, 12, 'c', 'c\0']] as const) {
    fs.mkdirSync(path.join(root, String(pid)))
    // utime 200 + stime 100 ticks over a life of 1000 - 500 s: 0.6 %.
    fs.writeFileSync(path.join(root, String(pid), 'stat'), `${pid} (${comm}) S ${ppid} 1 1 0 -1 0 0 0 0 0 200 100 0 0 20 0 1 0 50000 1000 42 0`)
    fs.writeFileSync(path.join(root, String(pid), 'status'), 'Name:\tx\nUid:\t0\t0\t0\t0\nVmRSS:\t    8 kB\n')
    fs.writeFileSync(path.join(root, String(pid), 'cmdline'), cmd)
  }
  return { root, users: new UserNames(path.join(root, 'passwd')) }
}

test('the process list from a fixture /proc: every field, by pid, cut at whole entries', (t) => {
  const { root, users } = fixtureProc(t)
  const full = processListOutput(root, users)
  assert.equal(full.truncated, false)
  assert.deepEqual(parseJson(ProcessList, full.stdout), [
    { pid: 3, ppid: 0, user: 'root', name: 'kworker', state: 'S', cpuPct: 0.6, memBytes: 8192, command: '[kworker]' },
    { pid: 12, ppid: 1, user: 'root', name: 'b (x)', state: 'S', cpuPct: 0.6, memBytes: 8192, command: 'b --y' },
    { pid: 40, ppid: 12, user: 'root', name: 'c', state: 'S', cpuPct: 0.6, memBytes: 8192, command: 'c' }
  ])
  const cap = Buffer.byteLength(full.stdout) - 1
  const cut = processListOutput(root, users, cap)
  assert.equal(cut.truncated, true)
  assert.ok(Buffer.byteLength(cut.stdout) <= cap)
  assert.deepEqual(parseJson(ProcessList, cut.stdout).map((p) => p.pid), [3, 12])
  assert.deepEqual(parseJson(ProcessList, processListOutput(root, users, 2).stdout), [])
})
