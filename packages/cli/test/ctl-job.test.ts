// `outpost ctl job …` end to end: a hub process, two agent processes, jobs run and shown by the
// shipped command; refusals and failed hosts reach the operator as a non-zero exit.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { runOutpost } from '@outpost/testkit'
import { adminToken, ctl, eventually, startAgentProcess, startHubProcess, tempDir } from './support.ts'

test('ctl job run, show, ls and put against a real hub and agents; --wait exits non-zero unless all succeeded', { timeout: 120_000 }, async (t) => {
  const hub = await startHubProcess(t)
  const operator = await adminToken(hub, ['api-token', '--name', 'ops', '--role', 'operator'])
  const viewer = await adminToken(hub, ['api-token', '--name', 'look', '--role', 'viewer'])
  const dir = tempDir(t)
  const policyFile = path.join(dir, 'policy.json')
  fs.writeFileSync(policyFile, JSON.stringify({ operations: ['exec', 'files.read', 'files.write'] }), { mode: 0o600 })
  for (const name of ['one', 'two']) {
    const enroll = await adminToken(hub, ['enroll-token', '--ttl', '10m'])
    await startAgentProcess(t, ['--enroll', enroll, '--state', path.join(dir, name), '--interval', '60s', '--policy', policyFile])
  }
  const hosts = await eventually(async () => {
    const r = await ctl(hub, operator, ['hosts', '--json'])
    const online = (JSON.parse(r.stdout) as Array<{ id: string, status: string }>).filter((h) => h.status === 'online')
    return online.length === 2 ? online.map(h => h.id) : undefined
  }, 'both agents to come online')

  const ok = await ctl(hub, operator, ['job', 'run', '--hosts', hosts.join(','), '--name', 'true everywhere', '--wait', '--', 'true'])
  assert.equal(ok.code, 0, ok.stderr)
  assert.match(ok.stdout, /job \S+ "true everywhere" finished: true/)
  assert.match(ok.stdout, /2 completed, 0 pending/)
  for (const id of hosts) assert.match(ok.stdout, new RegExp(`${id}\\s+completed\\s+0\\s*$`, 'm'))
  const jobId = /^job (\S+)/.exec(ok.stdout)?.[1]
  assert.ok(jobId !== undefined)

  const bad = await ctl(hub, operator, ['job', 'run', '--hosts', hosts.join(','), '--wait', '--', 'sh', '-c', 'exit 3'])
  assert.equal(bad.code, 1, 'a host exiting 3 makes --wait fail')
  assert.match(bad.stdout, /completed\s+3/)

  const show = await ctl(hub, operator, ['job', 'show', jobId])
  assert.equal(show.code, 0, show.stderr)
  assert.match(show.stdout, /^HOST\s+ID\s+STATE\s+EXIT\s+ERROR$/m)
  const raw = await ctl(hub, operator, ['--json', 'job', 'show', jobId])
  assert.deepEqual((JSON.parse(raw.stdout) as { counts: { completed: number } }).counts.completed, 2)
  const ls = await ctl(hub, viewer, ['job', 'ls'])
  assert.equal(ls.code, 0, ls.stderr)
  const rows = ls.stdout.trimEnd().split('\n')
  assert.match(rows[0] ?? '', /^ID\s+STATE\s+DONE\s+FAILED\s+RUN-AT\s+NAME$/)
  assert.match(rows[1] ?? '', /finished\s+2\/2\s+0\s+\S+\s+sh -c exit 3$/, 'newest first')
  assert.match(rows[2] ?? '', new RegExp(`^${jobId}\\s+finished\\s+2/2\\s+0\\s+\\S+\\s+true everywhere$`))

  const refused = await ctl(hub, viewer, ['job', 'run', '--hosts', hosts[0]!, '--', 'true'])
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /HUB_ERR_FORBIDDEN/)
  const unknown = await ctl(hub, operator, ['job', 'run', '--hosts', 'nosuchhost', '--', 'true'])
  assert.equal(unknown.code, 1)
  assert.match(unknown.stderr, /HUB_ERR_NOT_FOUND: no such host/)
  const usage = await ctl(hub, operator, ['job', 'run', '--', 'true'])
  assert.equal(usage.code, 2)
  assert.match(usage.stderr, /--hosts ID,ID or --group G/)

  const target = path.join(dir, 'motd')
  const put = await runOutpost(['ctl', '--hub', hub.url, '--fingerprint', hub.fingerprint, '--token', operator, 'job', 'put', '--hosts', hosts.join(','), '--mode', '0640', '--wait', target], { input: 'hello from a job\n' })
  assert.equal(put.code, 0, put.stdout + put.stderr)
  assert.equal(fs.readFileSync(target, 'utf8'), 'hello from a job\n')
  assert.equal(fs.statSync(target).mode & 0o777, 0o640)
})
