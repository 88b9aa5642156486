import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { generateSigningKeyPair, randomId, signInstruction, type InstructionBody, type SignedInstruction } from '@outpost/protocol'
import { InstructionExecutor, type ReportRequest } from '../src/executor/instruction-executor.ts'
import { SeenLog } from '../src/executor/seen-log.ts'
import { createPathGuard } from '../src/policy/path-guard.ts'
import { DEFAULT_POLICY } from '../src/policy/policy-schema.ts'

const hub = generateSigningKeyPair()
const AGENT = 'agent-under-test'

function tmpDir (t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-exec-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

function instr (body: InstructionBody, over: Partial<SignedInstruction> = {}, key = hub.privateKey): SignedInstruction {
  const now = Date.now()
  return signInstruction(key, { id: randomId(12), agentId: AGENT, issuer: 'user:test', issuedAt: now, expiresAt: now + 60_000, nonce: randomId(12), body, ...over })
}

function setup (t: { after: (fn: () => void) => void }, dir = tmpDir(t)) {
  const seen = new SeenLog(path.join(dir, 'seen.log'), { skewMs: 30_000, now: Date.now })
  t.after(() => seen.close())
  const requests: ReportRequest[] = []
  const ex = new InstructionExecutor({ agentId: AGENT, hubKey: hub.publicKey, seen, policy: DEFAULT_POLICY, guard: createPathGuard(DEFAULT_POLICY.protectedPaths), onReportRequest: (r) => { requests.push(r) } })
  return { ex, seen, dir, requests }
}

/** An exec that leaves a marker file: proof that a rejected instruction did not run. */
function touch (file: string): InstructionBody {
  return { type: 'exec', argv: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(file)}, 'ran')`] }
}

test('an unsigned instruction is rejected and not run', async (t) => {
  const { ex, dir } = setup(t)
  const marker = path.join(dir, 'ran')
  const { signature: _sig, ...unsigned } = instr(touch(marker))
  const r = await ex.handle(unsigned)
  assert.equal(r?.outcome, 'rejected')
  assert.equal(r?.error?.code, 'AGENT_ERR_INSTRUCTION_UNSIGNED')
  assert.equal(fs.existsSync(marker), false)
})

test('a signature by another key is rejected and not run', async (t) => {
  const { ex, dir } = setup(t)
  const marker = path.join(dir, 'ran')
  const r = await ex.handle(instr(touch(marker), {}, generateSigningKeyPair().privateKey))
  assert.equal(r?.error?.code, 'AGENT_ERR_INSTRUCTION_BAD_SIGNATURE')
  assert.equal(fs.existsSync(marker), false)
})

test('a body tampered with after signing is rejected and not run', async (t) => {
  const { ex, dir } = setup(t)
  const marker = path.join(dir, 'ran')
  const good = instr({ type: 'exec', argv: ['true'] })
  const tampered = { ...good, body: touch(marker) }
  const r = await ex.handle(tampered)
  assert.equal(r?.outcome, 'rejected')
  assert.equal(r?.error?.code, 'AGENT_ERR_INSTRUCTION_BAD_SIGNATURE')
  assert.equal(fs.existsSync(marker), false)
})

test('an expired instruction is rejected and not run', async (t) => {
  const { ex, dir } = setup(t)
  const marker = path.join(dir, 'ran')
  const r = await ex.handle(instr(touch(marker), { issuedAt: Date.now() - 600_000, expiresAt: Date.now() - 120_000 }))
  assert.equal(r?.error?.code, 'AGENT_ERR_INSTRUCTION_EXPIRED')
  assert.equal(fs.existsSync(marker), false)
})

test('an instruction for another agent is rejected and not run', async (t) => {
  const { ex, dir } = setup(t)
  const marker = path.join(dir, 'ran')
  const r = await ex.handle(instr(touch(marker), { agentId: 'someone-else' }))
  assert.equal(r?.error?.code, 'AGENT_ERR_INSTRUCTION_WRONG_AGENT')
  assert.equal(fs.existsSync(marker), false)
})

test('a replayed instruction is rejected, also after a restart', async (t) => {
  const dir = tmpDir(t)
  const marker = path.join(dir, 'ran')
  const i = instr(touch(marker))
  const first = setup(t, dir)
  assert.equal((await first.ex.handle(i))?.outcome, 'completed')
  assert.equal(fs.readFileSync(marker, 'utf8'), 'ran')
  fs.rmSync(marker)
  const again = await first.ex.handle(i)
  assert.equal(again?.error?.code, 'AGENT_ERR_INSTRUCTION_REPLAYED')
  first.seen.close()
  // A new process on the same state dir: the persisted seen-id log still refuses it.
  const second = setup(t, dir)
  const replay = await second.ex.handle(i)
  assert.equal(replay?.outcome, 'rejected')
  assert.equal(replay?.error?.code, 'AGENT_ERR_INSTRUCTION_REPLAYED')
  assert.equal(fs.existsSync(marker), false)
})

test('a signed instruction that breaks the schema is rejected', async (t) => {
  const { ex } = setup(t)
  const bad = { ...instr({ type: 'report-now' }), body: { type: 'format-disk' } }
  const r = await ex.handle(bad)
  assert.equal(r?.error?.code, 'AGENT_ERR_INSTRUCTION_INVALID')
})

test('exec returns the exit code, stdout and stderr', async (t) => {
  const { ex } = setup(t)
  const r = await ex.handle(instr({ type: 'exec', argv: [process.execPath, '-e', 'process.stdout.write("out"); process.stderr.write("err!"); process.exit(3)'] }))
  assert.equal(r?.outcome, 'completed')
  assert.equal(r?.exitCode, 3)
  assert.equal(r?.stdout, 'out')
  assert.equal(r?.stderr, 'err!')
  assert.equal(r?.truncated, false)
})

test('exec passes argv without a shell, with cwd and env', async (t) => {
  const { ex, dir } = setup(t)
  const r = await ex.handle(instr({ type: 'exec', argv: [process.execPath, '-e', 'console.log(process.cwd(), process.env.OUTPOST_X, process.argv[1])', '$(id); `x`'], cwd: dir, env: { OUTPOST_X: 'y' } }))
  assert.equal(r?.stdout, `${fs.realpathSync(dir)} y $(id); \`x\`\n`)
})

test('exec kills the process group at the time-out and reports SIGKILL', async (t) => {
  const { ex } = setup(t)
  // The child starts a grandchild in the same group; both must die.
  const script = 'require("child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "inherit" }); setInterval(() => {}, 1000)'
  const r = await ex.handle(instr({ type: 'exec', argv: [process.execPath, '-e', script], timeoutMs: 300 }))
  assert.equal(r?.outcome, 'completed')
  assert.equal(r?.signal, 'SIGKILL')
  assert.equal(r?.exitCode, null)
})

test('exec caps each stream and flags truncation', async (t) => {
  const { ex } = setup(t)
  const r = await ex.handle(instr({ type: 'exec', argv: [process.execPath, '-e', 'process.stdout.write("a".repeat(100000)); process.stderr.write("b".repeat(10))'], maxOutputBytes: 1000 }))
  assert.equal(r?.stdout?.length, 1000)
  assert.equal(r?.stderr, 'bbbbbbbbbb')
  assert.equal(r?.truncated, true)
})

test('a program that cannot start is a failed result with AGENT_ERR_EXEC_FAILED', async (t) => {
  const { ex } = setup(t)
  const r = await ex.handle(instr({ type: 'exec', argv: ['/nonexistent/outpost-no-such-program'] }))
  assert.equal(r?.outcome, 'failed')
  assert.equal(r?.error?.code, 'AGENT_ERR_EXEC_FAILED')
})

test('report-now and report-items are handed to the scheduler', async (t) => {
  const { ex, requests } = setup(t)
  assert.equal((await ex.handle(instr({ type: 'report-now' })))?.outcome, 'completed')
  assert.equal((await ex.handle(instr({ type: 'report-items', names: ['inventory', 'cpu.util_pct'] })))?.outcome, 'completed')
  assert.deepEqual(requests, [{ type: 'report-now' }, { type: 'report-items', names: ['inventory', 'cpu.util_pct'] }])
})

test('the seen-id log forgets ids only after their expiry has passed', (t) => {
  const dir = tmpDir(t)
  let now = 1_000_000
  const file = path.join(dir, 'seen.log')
  const a = new SeenLog(file, { skewMs: 1000, now: () => now })
  a.add('expires-soon', now + 5000)
  a.add('expires-late', now + 500_000)
  a.close()
  now += 10_000
  const b = new SeenLog(file, { skewMs: 1000, now: () => now })
  t.after(() => b.close())
  assert.equal(b.has('expires-soon'), false)
  assert.equal(b.has('expires-late'), true)
})
