// The agent behind an HTTP CONNECT proxy, reporting to a hub on PostgreSQL: real processes,
// a real proxy, a real database schema made for the test.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { processSockets, startPostgres, startProxy } from '@outpost/testkit'
import { adminToken, ctl, eventually, startAgentProcess, startHubProcess, tempDir } from './support.ts'

async function onlineHost (hub: Parameters<typeof ctl>[0], token: string): Promise<string> {
  const host = await eventually(async () => {
    const r = await ctl(hub, token, ['hosts', '--json'])
    return (JSON.parse(r.stdout) as Array<{ id: string, status: string }>).find((h) => h.status === 'online')
  }, 'the agent to come online')
  return host.id
}

test('agent through a CONNECT proxy (HTTPS_PROXY, WebSocket) to a hub on PostgreSQL', async (t) => {
  const pg = await startPostgres()
  t.after(() => pg.cleanup())
  const hub = await startHubProcess(t, { flags: ['--db', pg.url, '--db-schema', pg.schema] })
  const proxy = await startProxy({ auth: { user: 'site', password: 's3cret' } })
  t.after(() => proxy.cleanup())
  const token = await adminToken(hub, ['api-token', '--name', 'ops', '--role', 'operator'])
  const enroll = await adminToken(hub, ['enroll-token'])

  const agent = await startAgentProcess(t, ['--enroll', enroll, '--state', path.join(tempDir(t), 'a'), '--interval', '2s'], { HTTPS_PROXY: proxy.url })
  await agent.waitForLog((l) => l.msg === 'transport connect' && l.transport === 'ws')
  const hostId = await onlineHost(hub, token)
  const r = await ctl(hub, token, ['exec', hostId, '--', 'echo', 'through the proxy'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'through the proxy\n')

  const hubPort = Number(new URL(hub.url).port)
  const proxyPort = Number(new URL(proxy.url).port)
  assert.ok(proxy.tunnels.includes(`127.0.0.1:${hubPort}`), `the proxy carried tunnels to the hub: ${proxy.tunnels.join(', ')}`)
  const remotePorts = processSockets(agent.pid).filter((s) => s.family.startsWith('tcp') && s.remotePort !== 0).map((s) => s.remotePort)
  assert.ok(remotePorts.length > 0)
  assert.ok(remotePorts.every((p) => p === proxyPort), `the agent talks only to the proxy (remote ports ${remotePorts.join(', ')})`)
})

test('agent through a CONNECT proxy with POST and long-poll only (--proxy, --transport http)', async (t) => {
  const hub = await startHubProcess(t)
  const proxy = await startProxy()
  t.after(() => proxy.cleanup())
  const token = await adminToken(hub, ['api-token', '--name', 'ops', '--role', 'operator'])
  const enroll = await adminToken(hub, ['enroll-token'])
  const agent = await startAgentProcess(t, ['--enroll', enroll, '--state', path.join(tempDir(t), 'a'), '--interval', '2s', '--proxy', proxy.url, '--transport', 'http'])
  const hostId = await onlineHost(hub, token)
  const r = await ctl(hub, token, ['exec', hostId, '--', 'sh', '-c', 'exit 7'])
  assert.equal(r.code, 7, 'the instruction reached the agent through its held POST poll: ' + r.stderr)
  assert.ok(!agent.logs.some((l) => l.transport === 'ws'), 'no WebSocket was used')
  assert.ok(proxy.tunnels.length > 0 && proxy.tunnels.every((x) => x === `127.0.0.1:${new URL(hub.url).port}`))
})
