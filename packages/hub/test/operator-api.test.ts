import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isValid, ErrorEnvelope, HostList } from '@outpost/protocol'
import { startHub, enrollAgent, api, request } from './support/hub-fixture.ts'

test('operator API: no token and a bad token are 401, a viewer may read but not command', async (t) => {
  const f = await startHub(t)
  const agent = await enrollAgent(f)
  const none = await api(f, '/hosts', { token: null })
  assert.equal(none.status, 401)
  assert.ok(isValid(ErrorEnvelope, none.json))
  assert.equal(none.json.error.code, 'HUB_ERR_UNAUTHENTICATED')
  assert.equal((await api(f, '/hosts', { token: 'opa_not-a-real-token-at-all' })).status, 401)

  const viewer = await f.hub.createApiToken({ name: 'watcher', role: 'viewer' })
  const list = await api(f, '/hosts', { token: viewer })
  assert.equal(list.status, 200)
  assert.ok(isValid(HostList, list.json))
  const denied = await api(f, `/hosts/${agent.agentId}/commands`, { method: 'POST', token: viewer, body: { type: 'report-now' } })
  assert.equal(denied.status, 403)
  assert.equal(denied.json.error.code, 'HUB_ERR_FORBIDDEN')
  assert.equal((await api(f, `/hosts/${agent.agentId}`, { token: viewer })).status, 200)
})

test('operator API: bad input is 400, unknown things are 404, all with the envelope', async (t) => {
  const f = await startHub(t)
  const agent = await enrollAgent(f)
  const cases = [
    await api(f, `/hosts/${agent.agentId}/commands`, { method: 'POST', body: { type: 'exec', argv: [] } }),
    await api(f, `/hosts/${agent.agentId}/commands`, { method: 'POST', body: '{"type":' }),
    await api(f, `/hosts/${agent.agentId}/metrics`),
    await api(f, '/hosts/bad%20id')
  ]
  for (const res of cases) {
    assert.equal(res.status, 400, res.text)
    assert.equal(res.json.error.code, 'PROTO_ERR_INVALID')
  }
  for (const res of [await api(f, '/hosts/nobody'), await api(f, '/commands/nothing-here'), await api(f, '/no/such/route'), await request(f.url, { path: '/nope' })]) {
    assert.equal(res.status, 404, res.text)
    assert.ok(isValid(ErrorEnvelope, res.json))
  }
  const tooBig = await api(f, `/hosts/${agent.agentId}/commands`, { method: 'POST', body: { type: 'exec', argv: ['x'.repeat(2 * 1024 * 1024)] } })
  assert.equal(tooBig.status, 413)
  assert.equal(tooBig.json.error.code, 'PROTO_ERR_TOO_LARGE')
})

test('operator API: openapi.json documents every route', async (t) => {
  const f = await startHub(t)
  const res = await api(f, '/openapi.json', { token: null })
  assert.equal(res.status, 200)
  assert.equal(res.json.openapi, '3.1.0')
  const expected: Array<[string, string]> = [
    ['get', '/healthz'], ['post', '/agent/v1/enroll'], ['post', '/agent/v1/messages'], ['get', '/agent/v1/ws'],
    ['get', '/api/v1/hosts'], ['get', '/api/v1/hosts/{id}'], ['get', '/api/v1/hosts/{id}/metrics'],
    ['post', '/api/v1/hosts/{id}/commands'], ['get', '/api/v1/commands/{id}'], ['get', '/api/v1/openapi.json'],
    // console (console-*.test.ts)
    ['post', '/api/v1/session'], ['get', '/api/v1/session'], ['delete', '/api/v1/session'], ['get', '/api/v1/presence'],
    ['post', '/api/v1/presence/viewing'], ['get', '/api/v1/events'], ['get', '/api/v1/users'], ['post', '/api/v1/users'],
    ['patch', '/api/v1/users/{name}'], ['post', '/api/v1/users/{name}/totp'], ['delete', '/api/v1/users/{name}/totp'], ['get', '/api/v1/audit'],
    // alerts (alerts-*.test.ts)
    ['get', '/api/v1/alert-rules'], ['post', '/api/v1/alert-rules'], ['put', '/api/v1/alert-rules/{id}'], ['delete', '/api/v1/alert-rules/{id}'],
    ['get', '/api/v1/alerts'], ['post', '/api/v1/alerts/{id}/ack'], ['get', '/api/v1/silences'], ['post', '/api/v1/silences'], ['delete', '/api/v1/silences/{id}'],
    // file transfers (packages/agent/test/files-*.test.ts)
    ['get', '/api/v1/hosts/{id}/files/download'], ['put', '/api/v1/hosts/{id}/files/upload'], ['put', '/agent/v1/transfers/{transferId}'], ['get', '/agent/v1/transfers/{transferId}'],
    // live sessions (packages/agent/test/terminal-e2e.test.ts, sessions-agent-auth.test.ts)
    ['post', '/api/v1/hosts/{id}/sessions'], ['get', '/api/v1/sessions'], ['get', '/api/v1/sessions/{id}'], ['get', '/api/v1/sessions/{id}/recording'],
    ['delete', '/api/v1/sessions/{id}'], ['get', '/api/v1/sessions/{id}/ws'], ['get', '/agent/v1/sessions/{id}'], ['post', '/agent/v1/sessions/{id}/out'],
    ['post', '/agent/v1/sessions/{id}/in'],
    // streamed command output (command-output.test.ts)
    ['get', '/api/v1/commands/{id}/output'], ['post', '/agent/v1/commands/{commandId}/output'],
    // jobs (jobs-*.test.ts)
    ['get', '/api/v1/jobs'], ['post', '/api/v1/jobs'], ['get', '/api/v1/jobs/{id}'], ['post', '/api/v1/jobs/{id}/cancel'],
    // relays (relay-verify.test.ts, relay-topology-api.test.ts)
    ['post', '/agent/v1/relay/verify'], ['get', '/api/v1/relays']
  ]
  for (const [method, path] of expected) assert.ok(res.json.paths[path]?.[method] !== undefined, `${method} ${path} missing`)
  const documented = Object.values(res.json.paths as Record<string, object>).reduce((n: number, p) => n + Object.keys(p).length, 0)
  assert.equal(documented, expected.length)
  assert.equal((await request(f.url, { path: '/healthz' })).json.status, 'ok')
})

test('the served certificate is the one whose fingerprint enrollment tokens carry', async (t) => {
  const f = await startHub(t)
  const tls = await import('node:tls')
  const u = new URL(f.url)
  const socket = tls.connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false })
  await new Promise(resolve => socket.once('secureConnect', resolve))
  const fp = socket.getPeerCertificate().fingerprint256.replaceAll(':', '').toLowerCase()
  socket.destroy()
  assert.equal(fp, f.hub.fingerprint)
})
