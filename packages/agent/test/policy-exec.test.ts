import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { generateSigningKeyPair, randomId, signInstruction, type ExecBody, type InstructionBody } from '@outpost/protocol'
import { InstructionExecutor } from '../src/executor/instruction-executor.ts'
import { SeenLog } from '../src/executor/seen-log.ts'
import { createPathGuard, DEFAULT_POLICY, matchesExecPattern, parsePolicy, type Policy } from '../src/index.ts'

const hub = generateSigningKeyPair()
const AGENT = 'agent-under-test'

function setup (t: { after: (fn: () => void) => void }, policy: Policy = DEFAULT_POLICY) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-pexec-')))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const state = path.join(dir, 'state')
  fs.mkdirSync(state)
  const seen = new SeenLog(path.join(state, 'seen.log'), { skewMs: 30_000, now: Date.now })
  t.after(() => seen.close())
  const logs: Array<Record<string, unknown>> = []
  const logger = pino({ level: 'info' }, { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>) } })
  const ex = new InstructionExecutor({ agentId: AGENT, hubKey: hub.publicKey, seen, policy, guard: createPathGuard(policy.protectedPaths, [state]), onReportRequest: () => {}, logger })
  const run = (body: InstructionBody) => {
    const now = Date.now()
    return ex.handle(signInstruction(hub.privateKey, { id: randomId(12), agentId: AGENT, issuer: 'user:alice', issuedAt: now, expiresAt: now + 60_000, nonce: randomId(12), body }))
  }
  return { run, dir, state, logs }
}

/** Writes a marker when it runs: proof that a refused exec did not. */
function touch (file: string, ...extra: string[]): ExecBody {
  return { type: 'exec', argv: [process.execPath, '-e', `require('fs').writeFileSync(process.env.M, 'ran')`, ...extra], env: { M: file } }
}

test('exec "deny" refuses every exec with AGENT_ERR_POLICY_DENIED, logs an audit line and runs nothing', async (t) => {
  const { run, dir, logs } = setup(t, parsePolicy('{"exec":"deny"}'))
  const marker = path.join(dir, 'ran')
  const r = await run(touch(marker))
  assert.equal(r?.outcome, 'rejected')
  assert.equal(r?.error?.code, 'AGENT_ERR_POLICY_DENIED')
  assert.match(r?.error?.message ?? '', /exec: "deny"/)
  assert.equal(fs.existsSync(marker), false)
  const audit = logs.find((l) => l.audit === 'policy-denied')
  assert.equal(audit?.instructionId, r?.instructionId)
  assert.equal(audit?.issuer, 'user:alice')
  assert.equal(audit?.rule, 'exec: deny')
})

test('an allow-list runs matching argv only', async (t) => {
  const node = process.execPath
  const { run, dir } = setup(t, parsePolicy(JSON.stringify({ exec: { allow: [`${node} -e * **`] } })))
  const marker = path.join(dir, 'ran')
  assert.equal((await run(touch(marker)))?.outcome, 'completed')
  assert.equal(fs.readFileSync(marker, 'utf8'), 'ran')
  const r = await run({ type: 'exec', argv: [node, '-p', '1'] })
  assert.equal(r?.error?.code, 'AGENT_ERR_POLICY_DENIED')
  assert.match(r?.error?.message ?? '', /exec\.allow/)
})

test('the pattern language: exact program, one glob per argument, ** for the rest', () => {
  assert.equal(matchesExecPattern('systemctl status *', ['systemctl', 'status', 'nginx']), true)
  assert.equal(matchesExecPattern('systemctl status *', ['systemctl', 'stop', 'nginx']), false)
  assert.equal(matchesExecPattern('systemctl status *', ['systemctl', 'status', 'a', 'b']), false)
  assert.equal(matchesExecPattern('systemctl status *', ['systemctl', 'status']), false)
  assert.equal(matchesExecPattern('systemctl status *', ['/tmp/evil/systemctl', 'status', 'x']), false)
  assert.equal(matchesExecPattern('systemctl status *', ['systemctl', 'status', '../../etc']), false, '* never matches a /')
  assert.equal(matchesExecPattern('sys* status x', ['systemctl', 'status', 'x']), false, 'the program is never a glob')
  assert.equal(matchesExecPattern('/usr/bin/uptime', ['/usr/bin/uptime']), true)
  assert.equal(matchesExecPattern('/usr/bin/uptime', ['uptime']), false)
  assert.equal(matchesExecPattern('journalctl -u * **', ['journalctl', '-u', 'ssh']), true)
  assert.equal(matchesExecPattern('journalctl -u * **', ['journalctl', '-u', 'ssh', '-n', '50']), true)
})

test('an operation list without exec refuses exec', async (t) => {
  const { run } = setup(t, parsePolicy('{"operations":["files.read"]}'))
  const r = await run({ type: 'exec', argv: ['true'] })
  assert.equal(r?.error?.code, 'AGENT_ERR_POLICY_DENIED')
  assert.match(r?.error?.message ?? '', /operations/)
})

test('with exec "any", arguments and a cwd in protected paths are refused', async (t) => {
  const { run, dir, state } = setup(t)
  const marker = path.join(dir, 'ran')
  fs.symlinkSync('/etc/shadow', path.join(dir, 'innocent'))
  const cases: Array<[InstructionBody, RegExp]> = [
    [{ type: 'exec', argv: ['cat', '/etc/shadow'] }, /\/etc\/shadow/],
    [touch(marker, '/proc/self/root/etc/shadow'), /\/etc\/shadow/],
    [touch(marker, '/etc/ssh/../shadow'), /\/etc\/shadow/],
    [touch(marker, '--file=/etc/gshadow'), /gshadow/],
    [touch(marker, 'root@localhost:/root/.ssh/id_rsa'), /\.ssh/],
    [{ ...touch(marker, 'shadow'), cwd: '/etc' }, /shadow/],
    [touch(marker, path.join(dir, 'innocent')), /\/etc\/shadow/],
    [touch(marker, path.join(state, 'agent-key.pem')), /state/],
    [{ ...touch(marker), cwd: state }, /cwd/]
  ]
  for (const [body, re] of cases) {
    const r = await run(body)
    assert.equal(r?.outcome, 'rejected', JSON.stringify(body))
    assert.equal(r?.error?.code, 'AGENT_ERR_POLICY_DENIED')
    assert.match(r?.error?.message ?? '', re)
  }
  assert.equal(fs.existsSync(marker), false)
  const ok = await run({ ...touch(marker, '/etc/passwd'), cwd: dir })
  assert.equal(ok?.outcome, 'completed')
})
