// `outpost ctl files …` end to end with real processes: a hub, an agent with a local policy, and
// the ctl command streaming stdin up and a file down to stdout; refusals exit non-zero with the
// code on stderr.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import { OUTPOST_BIN } from '@outpost/testkit'
import { adminToken, ctl, eventually, startAgentProcess, startHubProcess, tempDir, type HubProcess } from './support.ts'

/** `outpost ctl …` with binary stdin and stdout. */
async function ctlBinary (hub: HubProcess, token: string, args: readonly string[], input: Buffer): Promise<{ code: number | null, stdout: Buffer, stderr: string }> {
  const child = spawn(process.execPath, [OUTPOST_BIN, 'ctl', '--hub', hub.url, '--fingerprint', hub.fingerprint, '--token', token, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => out.push(c))
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  child.stdin.end(input)
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stdout: Buffer.concat(out), stderr }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

test('ctl files ls, stat, put and get against a real hub and agent; refusals exit non-zero', async (t) => {
  const hub = await startHubProcess(t)
  const token = await adminToken(hub, ['api-token', '--name', 'ops', '--role', 'operator'])
  const enroll = await adminToken(hub, ['enroll-token', '--ttl', '10m'])
  const dir = fs.realpathSync(tempDir(t))
  fs.mkdirSync(path.join(dir, 'pub'))
  fs.mkdirSync(path.join(dir, 'secret'))
  fs.writeFileSync(path.join(dir, 'secret/key'), 'k')
  fs.symlinkSync('../secret/key', path.join(dir, 'pub/sneaky'))
  const policyFile = path.join(dir, 'policy.json')
  fs.writeFileSync(policyFile, JSON.stringify({ protectedPaths: [`${dir}/secret/**`] }), { mode: 0o600 })
  await startAgentProcess(t, ['--enroll', enroll, '--state', path.join(dir, 'agent'), '--interval', '60s', '--policy', policyFile])
  const host = await eventually(async () => {
    const r = await ctl(hub, token, ['hosts', '--json'])
    return (JSON.parse(r.stdout) as Array<{ id: string, status: string }>).find((h) => h.status === 'online')
  }, 'the agent to come online')

  const data = randomBytes(3 * 1024 * 1024 + 5)
  const target = path.join(dir, 'pub/data.bin')
  const put = await ctlBinary(hub, token, ['files', 'put', host.id, target, '--mode', '0640'], data)
  assert.equal(put.code, 0, put.stderr)
  assert.match(put.stderr, new RegExp(`wrote ${data.length} bytes to ${target} \\(sha256 ${sha(data)}\\)`))
  assert.equal(sha(fs.readFileSync(target)), sha(data))
  assert.equal(fs.statSync(target).mode & 0o7777, 0o640)

  const get = await ctlBinary(hub, token, ['files', 'get', host.id, target], Buffer.alloc(0))
  assert.equal(get.code, 0, get.stderr)
  assert.equal(get.stdout.length, data.length)
  assert.equal(sha(get.stdout), sha(data))

  const again = await ctlBinary(hub, token, ['--json', 'files', 'put', host.id, target], Buffer.from('v2\n'))
  assert.equal(again.code, 0, again.stderr)
  assert.equal(JSON.parse(again.stdout.toString()).backupPath, `${target}.outpost-bak`)
  const noBackup = await ctlBinary(hub, token, ['files', 'put', host.id, path.join(dir, 'pub/other'), '--no-backup'], Buffer.from('x'))
  assert.equal(noBackup.code, 0, noBackup.stderr)

  const ls = await ctl(hub, token, ['files', 'ls', host.id, path.join(dir, 'pub')])
  assert.equal(ls.code, 0, ls.stderr)
  const lines = ls.stdout.trimEnd().split('\n')
  assert.match(lines[0] ?? '', /^TYPE\s+MODE\s+SIZE\s+MODIFIED\s+NAME$/)
  assert.match(ls.stdout, /\nfile\s+0640\s+3\s+\S+ \S+\s+data\.bin\n/)
  assert.match(ls.stdout, /\nlink\s+\d{4}\s+-\s+\S+ \S+\s+sneaky {2}\[protected\]\n/)
  const lsJson = await ctl(hub, token, ['--json', 'files', 'ls', host.id, path.join(dir, 'pub')])
  assert.equal(JSON.parse(lsJson.stdout).entries.find((e: { name: string }) => e.name === 'sneaky').protected, true)
  const stat = await ctl(hub, token, ['files', 'stat', host.id, target])
  assert.equal(stat.code, 0, stat.stderr)
  assert.equal(JSON.parse(stat.stdout).size, 3)

  // Refusals: the agent's code and message on stderr, nothing on stdout, exit 1.
  for (const args of [['files', 'get', host.id, path.join(dir, 'pub/sneaky')], ['files', 'ls', host.id, path.join(dir, 'secret')], ['files', 'stat', host.id, `${dir}/pub/../secret/key`]]) {
    const r = await ctl(hub, token, args)
    assert.equal(r.code, 1, args.join(' '))
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /AGENT_ERR_POLICY_DENIED: .*protected by the local policy/)
  }
  const refusedPut = await ctlBinary(hub, token, ['files', 'put', host.id, path.join(dir, 'pub/sneaky')], Buffer.from('pwned'))
  assert.equal(refusedPut.code, 1)
  assert.match(refusedPut.stderr, /AGENT_ERR_POLICY_DENIED/)
  assert.equal(fs.readFileSync(path.join(dir, 'secret/key'), 'utf8'), 'k')
  const missing = await ctl(hub, token, ['files', 'get', host.id, path.join(dir, 'pub/none')])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /AGENT_ERR_NO_SUCH_FILE/)
  const usage = await ctl(hub, token, ['files', 'get', host.id, 'relative/path'])
  assert.equal(usage.code, 2)

  const viewer = await adminToken(hub, ['api-token', '--name', 'watch', '--role', 'viewer'])
  const denied = await ctl(hub, viewer, ['files', 'get', host.id, target])
  assert.equal(denied.code, 1)
  assert.match(denied.stderr, /HUB_ERR_FORBIDDEN/)
})
