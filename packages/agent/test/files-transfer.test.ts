// Streamed transfers through the hub with a real agent, and the hub's guards around them:
// transfers are single use and only for their own agent, viewers cannot transfer, and the hub
// bounds upload size.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { AgentHeader, HubPath, PROTOCOL_VERSION, signRequest } from '@outpost/protocol'
import { api, downloadFile, enrollSimulatedAgent, request, sendSigned, startHub, uploadFile, type SimulatedAgent, type TestHub } from '@outpost/testkit'
import { runningAgent } from './support/running-agent.ts'
import { fileTree } from './support/file-tree.ts'

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

test('a multi-MB file uploads and downloads intact through the hub, streamed both ways', async (t) => {
  const tree = fileTree(t)
  const { hub, agentId } = await runningAgent(t, tree.policy())
  const data = randomBytes(12 * 1024 * 1024 + 17)
  const target = path.join(tree.root, 'pub/blob.bin')
  // Sent as a stream of small pieces, without content-length: the hub spools it as it comes.
  const pieces = Array.from({ length: Math.ceil(data.length / 65536) }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536))
  const up = await uploadFile(hub.url, hub.adminToken, agentId, target, Readable.from(pieces), { query: { mode: '0600' } })
  assert.equal(up.status, 200, up.body.toString())
  assert.deepEqual(up.json, { path: target, size: data.length, sha256: sha(data), backupPath: null })
  assert.equal(sha(fs.readFileSync(target)), sha(data))
  assert.equal(fs.statSync(target).mode & 0o7777, 0o600)
  assert.deepEqual(fs.readdirSync(path.join(hub.dataDir, 'transfers')), [], 'the hub removed its temporary file')

  const down = await downloadFile(hub.url, hub.adminToken, agentId, target, { keepBody: false })
  assert.equal(down.status, 200)
  assert.equal(down.headers['content-type'], 'application/octet-stream')
  assert.equal(down.headers['content-length'], String(data.length))
  assert.match(String(down.headers['content-disposition']), /^attachment; filename="blob\.bin"/)
  assert.equal(down.size, data.length)
  assert.equal(down.sha256, sha(data))

  // Overwriting keeps the previous version; both transfers are audited with size and hash.
  const again = await uploadFile(hub.url, hub.adminToken, agentId, target, Buffer.from('small'))
  assert.equal(again.json.backupPath, `${target}.outpost-bak`)
  assert.equal(sha(fs.readFileSync(`${target}.outpost-bak`)), sha(data))
  const audit = await api(hub.url, hub.adminToken, `/audit?action=file.upload&target=host:${agentId}`)
  assert.deepEqual(audit.json.map((e: { result: string, detail: { size: number, sha256: string, path: string } }) => [e.result, e.detail.path, e.detail.size, e.detail.sha256]).sort(),
    [['ok', target, 5, sha(Buffer.from('small'))], ['ok', target, data.length, sha(data)]].sort())
  const downAudit = await eventuallyAudit(hub, `/audit?action=file.download&target=host:${agentId}`)
  assert.equal(downAudit.result, 'ok')
  assert.equal(downAudit.detail.size, data.length)
  assert.equal(downAudit.detail.sha256, sha(data))

  const missing = await downloadFile(hub.url, hub.adminToken, agentId, path.join(tree.root, 'pub/none'))
  assert.equal(missing.status, 404)
  assert.equal(missing.json.error.code, 'AGENT_ERR_NO_SUCH_FILE')
})

/** The download audit is written once the agent's result arrives, just after the bytes. */
async function eventuallyAudit (hub: TestHub, p: string): Promise<{ result: string, detail: Record<string, unknown> }> {
  for (let i = 0; i < 100; i++) {
    const r = await api(hub.url, hub.adminToken, p)
    if (r.json.length > 0) return r.json[0]
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no audit entry at ${p}`)
}

/** Polls as a simulated agent until an instruction arrives. */
async function nextInstruction (hub: TestHub, agent: SimulatedAgent): Promise<{ id: string, body: Record<string, any> }> {
  for (let i = 0; i < 100; i++) {
    const r = await sendSigned(hub.url, agent, { type: 'poll', waitMs: 0 })
    const ins = r.json?.instructions?.[0]
    if (ins !== undefined) return ins
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('no instruction')
}

/** A transfer request signed as `agent` (over an empty body, as the real agent does). */
function transfer (hub: TestHub, agent: SimulatedAgent, method: 'GET' | 'PUT', transferId: string, body?: Buffer): ReturnType<typeof request> {
  const p = `${HubPath.AgentTransfers}/${transferId}`
  const headers: Record<string, string> = { [AgentHeader.Protocol]: String(PROTOCOL_VERSION), ...signRequest(agent.keys.privateKey, { method, path: p, agentId: agent.agentId, body: Buffer.alloc(0) }) }
  if (body !== undefined) headers['content-type'] = 'application/octet-stream'
  return request(hub.url, { method, path: p, headers, ...(body === undefined ? {} : { body }) })
}

test('another agent can neither fill nor fetch a transfer; each transfer is used once', async (t) => {
  const hub = await startHub()
  t.after(() => hub.cleanup())
  const a = await enrollSimulatedAgent(hub.url, await hub.enrollToken(), 'host-a')
  const b = await enrollSimulatedAgent(hub.url, await hub.enrollToken(), 'host-b')

  const download = downloadFile(hub.url, hub.adminToken, a.agentId, '/srv/data.bin')
  const ins = await nextInstruction(hub, a)
  assert.equal(ins.body.type, 'file-download')
  const forged = await transfer(hub, b, 'PUT', ins.body.transferId, Buffer.from('forged bytes'))
  assert.equal(forged.status, 404)
  assert.equal(forged.json.error.code, 'HUB_ERR_NOT_FOUND')
  assert.equal((await transfer(hub, b, 'GET', ins.body.transferId)).status, 404, 'a download is not fetchable')
  const unsigned = await request(hub.url, { method: 'PUT', path: `${HubPath.AgentTransfers}/${ins.body.transferId as string}`, headers: { 'content-type': 'application/octet-stream' }, body: 'x' })
  assert.equal(unsigned.status, 400, unsigned.text)
  const real = await transfer(hub, a, 'PUT', ins.body.transferId, Buffer.from('real bytes'))
  assert.equal(real.status, 204, real.text)
  const got = await download
  assert.equal(got.status, 200)
  assert.equal(got.body.toString(), 'real bytes', 'the owner\'s bytes, not the forger\'s')
  assert.equal((await transfer(hub, a, 'PUT', ins.body.transferId, Buffer.from('again'))).status, 404, 'single use')

  const upload = uploadFile(hub.url, hub.adminToken, a.agentId, '/srv/up.bin', Buffer.from('payload'))
  const up = await nextInstruction(hub, a)
  assert.equal(up.body.type, 'file-upload')
  assert.equal((await transfer(hub, b, 'GET', up.body.transferId)).status, 404, 'agent B cannot fetch A\'s upload')
  const fetched = await transfer(hub, a, 'GET', up.body.transferId)
  assert.equal(fetched.status, 200)
  assert.equal(fetched.text, 'payload')
  assert.equal((await transfer(hub, a, 'GET', up.body.transferId)).status, 404, 'single use')
  const stdout = JSON.stringify({ path: '/srv/up.bin', size: 7, sha256: up.body.sha256, backupPath: null })
  await sendSigned(hub.url, a, { type: 'result', seq: 1, time: Date.now(), instructionId: up.id, outcome: 'completed', exitCode: 0, stdout })
  const done = await upload
  assert.equal(done.status, 200, done.body.toString())
  assert.equal(done.json.size, 7)

  const refusals = await api(hub.url, hub.adminToken, `/audit?action=file.transfer-refused&actor=agent:${b.agentId}`)
  assert.equal(refusals.json.length, 3)
})

test('viewers cannot transfer files; the hub refuses uploads over its limit before queueing anything', async (t) => {
  const hub = await startHub({ config: { limits: { uploadBytes: 1000 } } })
  t.after(() => hub.cleanup())
  const a = await enrollSimulatedAgent(hub.url, await hub.enrollToken(), 'host-a')
  const viewer = await hub.hub.createApiToken({ name: 'watcher', role: 'viewer' })
  const down = await downloadFile(hub.url, viewer, a.agentId, '/etc/hostname')
  assert.equal(down.status, 403)
  assert.equal(down.json.error.code, 'HUB_ERR_FORBIDDEN')
  const up = await uploadFile(hub.url, viewer, a.agentId, '/tmp/x', Buffer.from('x'))
  assert.equal(up.status, 403)
  const none = await downloadFile(hub.url, null as unknown as string, a.agentId, '/etc/hostname')
  assert.equal(none.status, 401)
  const denials = await api(hub.url, hub.adminToken, '/audit?action=api.access&actor=token:watcher')
  assert.equal(denials.json.length, 2)

  const big = await uploadFile(hub.url, hub.adminToken, a.agentId, '/tmp/big', Buffer.alloc(1001))
  assert.equal(big.status, 413)
  const streamed = await uploadFile(hub.url, hub.adminToken, a.agentId, '/tmp/big', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]))
  assert.equal(streamed.status, 413, 'a body without content-length is cut at the limit')
  const commands = await sendSigned(hub.url, a, { type: 'poll', waitMs: 0 })
  assert.deepEqual(commands.json.instructions, [], 'nothing was queued')
  assert.deepEqual(fs.readdirSync(path.join(hub.dataDir, 'transfers')), [])
  const json = await request(hub.url, { method: 'PUT', path: `/api/v1/hosts/${a.agentId}/files/upload?path=/tmp/x`, headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' }, body: '{}' })
  assert.equal(json.status, 415)
})
