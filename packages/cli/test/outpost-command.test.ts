// The shipped `outpost` command end to end: a hub process, admin tokens, an agent process that
// enrolls and reports, and `ctl` running a remote command, all on loopback with temp dirs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { decodeEnrollToken, encodeEnrollToken } from '@outpost/protocol'
import { processSockets, runOutpost } from '@outpost/testkit'
import { adminToken, ctl, eventually, startAgentProcess, startHubProcess, tempDir } from './support.ts'

test('help and usage errors', async () => {
  const help = await runOutpost(['--help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /outpost hub --data DIR/)
  const unknown = await runOutpost(['frobnicate'])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown command "frobnicate"/)
  const noState = await runOutpost(['agent'])
  assert.equal(noState.code, 2)
  assert.match(noState.stderr, /--state DIR is required/)
  const badTtl = await runOutpost(['admin', 'enroll-token', '--data', '/nonexistent-outpost', '--ttl', 'soon'])
  assert.equal(badTtl.code, 2)
  assert.match(badTtl.stderr, /not a duration/)
})

test('hub, enrollment, reports and remote exec through the outpost command', async (t) => {
  const hub = await startHubProcess(t)
  const apiToken = await adminToken(hub, ['api-token', '--name', 'ops', '--role', 'operator'])
  const enroll = await adminToken(hub, ['enroll-token', '--ttl', '10m', '--group', 'web'])
  const payload = decodeEnrollToken(enroll)
  assert.equal(new URL(payload.url).port, new URL(hub.url).port, 'the token carries the hub URL')
  assert.equal(payload.fingerprint, hub.fingerprint, 'the token pins the certificate the hub serves')

  const stateDir = path.join(tempDir(t), 'agent')
  const agent = await startAgentProcess(t, ['--enroll', enroll, '--state', stateDir, '--interval', '2s'])
  await agent.waitForLog((l) => l.msg === 'enrolled')

  const hostId = await eventually(async () => {
    const r = await ctl(hub, apiToken, ['hosts', '--json'])
    const hosts = JSON.parse(r.stdout) as Array<{ id: string, status: string, group: string, os: string }>
    return hosts.find((h) => h.status === 'online' && h.os !== '')
  }, 'the agent to report its inventory')
  assert.equal(hostId.group, 'web')

  const detail = JSON.parse((await ctl(hub, apiToken, ['host', hostId.id])).stdout) as { inventory: { hostname: string, packages: { manager: string } }, metrics: Record<string, number> }
  assert.ok(detail.inventory.hostname.length > 0)
  assert.ok('load.1m' in detail.metrics || Object.keys(detail.metrics).some((k) => k.startsWith('load.')), 'status metrics arrived')

  const ok = await ctl(hub, apiToken, ['exec', hostId.id, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'])
  assert.equal(ok.code, 3, 'ctl exec exits with the remote exit code')
  assert.equal(ok.stdout, 'out\n')
  assert.equal(ok.stderr, 'err\n')

  const missing = await ctl(hub, apiToken, ['exec', hostId.id, '--', '/nonexistent/program'])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /AGENT_ERR_EXEC_FAILED/)

  // The agent process listens on nothing, while it does hold its connection to the hub.
  const sockets = processSockets(agent.pid)
  assert.deepEqual(sockets.filter((s) => s.listening), [], 'no listening socket of any kind')
  assert.ok(sockets.some((s) => s.family.startsWith('tcp')), 'the check sees the agent\'s outbound TCP connection')

  assert.equal(await agent.stop(), 0, 'the agent stops cleanly on SIGTERM')
  const again = await startAgentProcess(t, ['--state', stateDir, '--interval', '2s'])
  await again.waitForLog((l) => l.msg === 'agent starting' && l.agentId === hostId.id)
  assert.equal(await again.stop(), 0)
  assert.equal(await hub.proc.stop(), 0, 'the hub stops cleanly on SIGTERM')
})

test('an agent refuses a hub whose certificate is not the pinned one, before sending anything', async (t) => {
  const hub = await startHubProcess(t)
  const genuine = decodeEnrollToken(await adminToken(hub, ['enroll-token']))
  const forged = encodeEnrollToken({ ...genuine, fingerprint: 'ab'.repeat(32) })
  const r = await runOutpost(['agent', '--enroll', forged, '--state', path.join(tempDir(t), 's')])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /AGENT_ERR_CERT_MISMATCH/)
  assert.match(r.stderr, new RegExp(`expected ${'ab'.repeat(32)}, got ${hub.fingerprint}`))
  // The secret never reached the hub: the same token still enrolls an agent that pins correctly.
  const agent = await startAgentProcess(t, ['--enroll', encodeEnrollToken(genuine), '--state', path.join(tempDir(t), 's2')])
  await agent.waitForLog((l) => l.msg === 'enrolled')
})

test('ctl refuses a hub that does not match --fingerprint, and a bad token', async (t) => {
  const hub = await startHubProcess(t)
  const token = await adminToken(hub, ['api-token', '--name', 'v', '--role', 'viewer'])
  const wrongPin = await runOutpost(['ctl', '--hub', hub.url, '--fingerprint', 'cd'.repeat(32), '--token', token, 'hosts'])
  assert.equal(wrongPin.code, 1)
  assert.match(wrongPin.stderr, /CERT_MISMATCH/)
  const badToken = await ctl(hub, 'opa_not-a-real-token', ['hosts'])
  assert.equal(badToken.code, 1)
  assert.match(badToken.stderr, /HUB_ERR_UNAUTHENTICATED/)
  const viewerExec = await ctl(hub, token, ['exec', 'some-host', '--', 'true'])
  assert.equal(viewerExec.code, 1)
  assert.match(viewerExec.stderr, /HUB_ERR_FORBIDDEN/)
})
