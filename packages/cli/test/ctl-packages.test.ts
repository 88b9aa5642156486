// Packages for real: hub and agent processes, apt on this machine pointed (for the agent process
// only, with APT_CONFIG) at a local repository holding a package the test builds. The install's
// output reaches an SSE client while it runs; `ctl package remove` prints it live and exits with
// apt's code. Needs root (apt installs into the real dpkg database).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { api, openSse } from '@outpost/testkit'
import { adminToken, ctl, eventually, startAgentProcess, startHubProcess, tempDir } from './support.ts'
import { TEST_PACKAGE, TEST_PACKAGE_FILE, buildAptRepo, isInstalled, purge } from './apt-repo.ts'

test('package list, install with live output, remove with ctl, and a missing package\'s failure', async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test installs a real package with apt and needs root: run it as root')
  purge(TEST_PACKAGE)
  t.after(() => { purge(TEST_PACKAGE) })
  const dir = tempDir(t)
  const repo = buildAptRepo(dir)
  const hub = await startHubProcess(t)
  const token = await adminToken(hub, ['api-token', '--name', 'ops', '--role', 'operator'])
  const enroll = await adminToken(hub, ['enroll-token', '--ttl', '10m'])
  await startAgentProcess(t, ['--enroll', enroll, '--state', path.join(dir, 'agent'), '--interval', '60s'], { APT_CONFIG: repo.aptConfig })
  const host = await eventually(async () => {
    const r = await ctl(hub, token, ['hosts', '--json'])
    return (JSON.parse(r.stdout) as Array<{ id: string, status: string }>).find((h) => h.status === 'online')
  }, 'the agent to come online')

  const list = await ctl(hub, token, ['packages', host.id, '--json'])
  assert.equal(list.code, 0, list.stderr)
  const packages = JSON.parse(list.stdout) as Array<{ name: string, version: string, arch: string }>
  assert.ok(packages.some((p) => p.name === 'dpkg' && p.version !== ''), 'dpkg is listed')
  assert.ok(!packages.some((p) => p.name === TEST_PACKAGE))
  const table = await ctl(hub, token, ['packages', host.id])
  assert.match(table.stdout.split('\n')[0] ?? '', /^NAME\s+VERSION\s+ARCH$/)

  // Install through the API while reading the live output.
  const created = await api(hub.url, token, `/hosts/${host.id}/commands`, { method: 'POST', body: { type: 'package', action: 'install', names: [TEST_PACKAGE] } })
  assert.equal(created.status, 201, created.text)
  const sse = await openSse(hub.url, `/api/v1/commands/${created.json.id as string}/output`, { authorization: `Bearer ${token}` })
  t.after(() => { sse.close() })
  assert.equal(sse.status, 200)
  await sse.ended
  const last = sse.events.at(-1)
  assert.equal(last?.event, 'finished')
  assert.equal(last?.data.status, 'completed', JSON.stringify(last?.data))
  assert.equal(last?.data.exitCode, 0, last?.data.stdout + last?.data.stderr)
  const chunks = sse.events.filter((e) => e.event === 'chunk')
  // The hub takes chunks only while the command runs: chunks before `finished` were live.
  assert.ok(chunks.length > 0, 'output was streamed before the command finished')
  const streamed = chunks.map((e) => e.data.data as string).join('')
  assert.match(streamed, new RegExp(`Setting up ${TEST_PACKAGE} \\(1\\.0\\)`))
  assert.match(last?.data.stdout, /^\$ apt-get update\n/, 'the result carries all the output, steps included')
  assert.equal(fs.readFileSync(TEST_PACKAGE_FILE, 'utf8'), 'hello from outpost\n')
  assert.ok(isInstalled(TEST_PACKAGE))

  const removed = await ctl(hub, token, ['package', host.id, 'remove', TEST_PACKAGE])
  assert.equal(removed.code, 0, removed.stderr)
  assert.match(removed.stdout, /\$ apt-get remove -y -- outpost-test-hello\n/)
  assert.match(removed.stdout, new RegExp(`Removing ${TEST_PACKAGE} \\(1\\.0\\)`))
  assert.equal(fs.existsSync(TEST_PACKAGE_FILE), false)
  assert.equal(isInstalled(TEST_PACKAGE), false)

  // apt's own failure is the command's exit code, its words on stderr.
  const missing = await ctl(hub, token, ['package', host.id, 'install', 'outpost-test-missing'])
  assert.equal(missing.code, 100, missing.stdout + missing.stderr)
  assert.match(missing.stderr, /Unable to locate package outpost-test-missing/)
  const usage = await ctl(hub, token, ['package', host.id, 'install'])
  assert.equal(usage.code, 2, 'install without names is a usage error')
})
