// The file transfer routes obey host-group scoping and the console's CSRF rule: a host outside
// the user's groups answers like a missing one (404, audited) and nothing is queued for it; a
// cookie-authenticated upload without the CSRF token is refused before its body is read.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { enrollSimulatedAgent, request, type Answer } from '@outpost/testkit'
import { startHub, enrollAgent, sendSigned, api } from './support/hub-fixture.ts'
import { createUser, login, type Browser } from './support/console-fixture.ts'

function transferAs (url: string, b: Browser, method: 'GET' | 'PUT', p: string, csrf = true): Promise<Answer> {
  const headers: Record<string, string> = { cookie: b.cookie }
  if (csrf) headers['x-csrf-token'] = b.csrf
  if (method === 'PUT') headers['content-type'] = 'application/octet-stream'
  return request(url, { method, path: p, headers, ...(method === 'PUT' ? { body: 'bytes' } : {}) })
}

test('file transfers: an out-of-scope host is 404 like a missing one, audited, nothing queued; CSRF is required', async (t) => {
  const f = await startHub(t)
  const web = await enrollAgent(f, 'web-1')
  const db = await f.hub.createEnrollToken({ ttlMs: 60_000, group: 'db', createdBy: 'test' })
  const dbAgent = await enrollSimulatedAgent(f.url, db, 'db-1')
  await createUser(f, 'webop', 'operator', { groups: ['default'] })
  const webop = await login(f, 'webop')

  const q = '?path=/etc/hostname'
  for (const [method, route] of [['GET', 'download'], ['PUT', 'upload']] as const) {
    const out = await transferAs(f.url, webop, method, `/api/v1/hosts/${dbAgent.agentId}/files/${route}${q}`)
    const missing = await transferAs(f.url, webop, method, `/api/v1/hosts/nosuchhost000/files/${route}${q}`)
    assert.equal(out.status, 404, out.text)
    assert.deepEqual(out.json, missing.json)
  }
  const audit = await api(f, `/audit?action=api.access&target=${encodeURIComponent(`host:${dbAgent.agentId}`)}`)
  assert.equal(audit.json.filter((e: { result: string, detail: { reason?: string } }) => e.result === 'denied' && e.detail.reason === 'host-scope').length, 2)
  assert.deepEqual((await sendSigned(f, dbAgent, { type: 'poll', waitMs: 0 })).json.instructions, [], 'nothing queued for the db host')

  const noCsrf = await transferAs(f.url, webop, 'PUT', `/api/v1/hosts/${web.agentId}/files/upload${q}`, false)
  assert.equal(noCsrf.status, 403)
  assert.equal(noCsrf.json.error.code, 'HUB_ERR_CSRF')
  assert.deepEqual((await sendSigned(f, web, { type: 'poll', waitMs: 0 })).json.instructions, [])
})
