// Two hub replicas on one PostgreSQL schema and the real NATS bus (a random subject prefix), with
// one certificate: replica A is an `outpost hub` process, B runs in this process. A real agent
// lists both (`--upstream A,B`) and connects to A; the operator works on B: exec, a terminal,
// files (list, read, write, download, upload). Then A is killed (SIGKILL): the agent goes on
// through B and every report it made is stored exactly once.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import pg from 'pg'
import { api, downloadFile, startHub, startOutpost, startPostgres, startTcpBalancer, uploadFile, type TestHub } from '@outpost/testkit'
import { createAgent, enrollAgent, parseAgentConfig, type Agent } from '@outpost/agent'
import { asUser, join, operator } from './support/terminal-fixture.ts'
import { fileTree } from './support/file-tree.ts'
import { exec, until } from './support/relay-fixture.ts'

const NATS_URL = 'nats://127.0.0.1:4222'
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex')

interface Replicas { readonly b: TestHub, readonly aUrl: string, readonly aPort: number, kill (): void, readonly schema: string, readonly dbUrl: string }

async function replicas (t: TestContext): Promise<Replicas> {
  const db = await startPostgres()
  t.after(() => db.cleanup())
  const prefix = `t${randomBytes(6).toString('hex')}`
  const b = await startHub({ config: { store: { kind: 'postgres', url: db.url, schema: db.schema }, bus: NATS_URL, busPrefix: prefix } })
  t.after(() => b.cleanup())
  const dataA = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-replica-a-'))
  t.after(() => fs.rmSync(dataA, { recursive: true, force: true }))
  const a = startOutpost(['hub', '--data', dataA, '--listen', '127.0.0.1:0', '--db', db.url, '--db-schema', db.schema,
    '--bus', NATS_URL, '--bus-prefix', prefix, '--tls-cert', path.join(b.dataDir, 'tls/hub-cert.pem'), '--tls-key', path.join(b.dataDir, 'tls/hub-key.pem')],
  { env: { OUTPOST_ADMIN_PASSWORD: 'replica admin password' } })
  t.after(() => a.stop(2000))
  const listening = await a.waitForLog(l => l.msg === 'hub listening', 30_000)
  assert.equal(listening.fingerprint, b.fingerprint, 'both replicas serve one certificate')
  return { b, aUrl: `https://127.0.0.1:${String(listening.port)}`, aPort: Number(listening.port), kill: () => { a.child.kill('SIGKILL') }, schema: db.schema, dbUrl: db.url }
}

async function agentOn (t: TestContext, r: Replicas, transport: 'auto' | 'http', policy: string, upstreams = [r.aUrl, r.b.url]): Promise<{ agent: Agent, agentId: string, acked: Set<number> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-replica-agent-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const stateDir = path.join(dir, 'state')
  const policyFile = path.join(dir, 'policy.json')
  fs.writeFileSync(policyFile, policy, { mode: 0o600 })
  const { agentId } = await enrollAgent({ token: await r.b.enrollToken(), stateDir, upstreams })
  const agent = createAgent(parseAgentConfig({ stateDir, policyFile, transport, upstreams, upstreamRetryMs: 200, intervalMs: 1000, pollWaitMs: 5_000, thresholds: [], backoff: { minMs: 50, maxMs: 300 }, logLevel: 'silent' }))
  t.after(() => agent.stop())
  const acked = new Set<number>()
  agent.on('acked', (seqs: readonly number[]) => { for (const s of seqs) acked.add(s) })
  const first = once(agent, 'acked', { signal: AbortSignal.timeout(20_000) })
  await agent.start()
  await first
  return { agent, agentId, acked }
}

/** An operator on B opens a terminal on the agent (on A), types, reads, exits. */
async function terminal (b: TestHub, agentId: string, name: string): Promise<void> {
  const op = await operator(b, name, 'operator')
  const created = await asUser(b, op, 'POST', `/hosts/${agentId}/sessions`, { kind: 'terminal', cols: 80, rows: 24 })
  assert.equal(created.status, 201, created.text)
  const term = await join(b, created.json.id, { cookie: op.cookie, origin: b.url })
  await term.waitControl('ready')
  term.type('echo across-$((6*7))\r')
  await term.waitFor('across-42')
  term.type('exit 3\r')
  assert.equal((await term.waitControl('exit')).code, 3)
  await term.waitControl('closed')
}

/** Every acknowledged report of the agent is stored, none twice, none missing in between. */
async function assertStoredOnce (r: Replicas, agentId: string, acked: ReadonlySet<number>): Promise<void> {
  const client = new pg.Client({ connectionString: r.dbUrl })
  await client.connect()
  try {
    const rows = (await client.query<{ seq: string }>(`select seq from ${r.schema}.receipts where agent_id = $1 order by seq`, [agentId])).rows.map(x => Number(x.seq))
    assert.equal(new Set(rows).size, rows.length, 'no seq stored twice')
    for (const s of acked) assert.ok(rows.includes(s), `acknowledged seq ${s} is stored`)
    const max = Math.max(...rows)
    const missing = Array.from({ length: max - rows[0]! + 1 }, (_, i) => rows[0]! + i).filter(s => !rows.includes(s))
    assert.deepEqual(missing, [], 'no seq lost between the first and the last')
  } finally {
    await client.end()
  }
}

for (const transport of ['auto', 'http'] as const) {
  test(`agent on replica A (${transport === 'auto' ? 'WebSocket' : 'POST/long-poll'}), operator on B: exec, terminal, files; A killed, the agent reports through B`, { timeout: 120_000 }, async (t) => {
    const r = await replicas(t)
    const tree = fileTree(t)
    const { agent, agentId, acked } = await agentOn(t, r, transport, tree.policy())
    const { b } = r

    const ran = await exec(b, agentId, 'process.stdout.write("ran-" + (6 * 7))')
    assert.equal(ran.status, 'completed', JSON.stringify(ran))
    assert.equal(ran.stdout, 'ran-42')

    await terminal(b, agentId, 'alice')

    const command = async (body: Record<string, unknown>): Promise<{ status: string, stdout: string }> => {
      const created = await api(b.url, b.adminToken, `/hosts/${agentId}/commands`, { method: 'POST', body })
      assert.equal(created.status, 201, created.text)
      return (await api(b.url, b.adminToken, `/commands/${created.json.id as string}?wait=30000`)).json
    }
    const listed = await command({ type: 'file-list', path: path.join(tree.root, 'pub') })
    assert.equal(listed.status, 'completed', JSON.stringify(listed))
    assert.ok(listed.stdout.includes('file.txt'))
    const read = await command({ type: 'file-read', path: path.join(tree.root, 'pub/file.txt') })
    assert.equal(Buffer.from(JSON.parse(read.stdout).contentBase64, 'base64').toString(), 'public\n')
    const wrote = await command({ type: 'file-write', path: path.join(tree.root, 'pub/new.txt'), contentBase64: Buffer.from('written\n').toString('base64') })
    assert.equal(wrote.status, 'completed', JSON.stringify(wrote))
    assert.equal(fs.readFileSync(path.join(tree.root, 'pub/new.txt'), 'utf8'), 'written\n')

    // Transfers: the operator's request waits on B, the agent's PUT/GET reaches A; the bytes cross the bus.
    const data = randomBytes(3 * 1024 * 1024 + 5)
    const target = path.join(tree.root, 'pub/blob.bin')
    const up = await uploadFile(b.url, b.adminToken, agentId, target, data)
    assert.equal(up.status, 200, up.body.toString())
    assert.equal(up.json.sha256, sha(data))
    assert.equal(sha(fs.readFileSync(target)), sha(data))
    const down = await downloadFile(b.url, b.adminToken, agentId, target, { keepBody: false })
    assert.equal(down.status, 200)
    assert.equal(down.size, data.length)
    assert.equal(down.sha256, sha(data))

    // Kill A; the agent moves to B (its second upstream) and its reports go on.
    const seqsBefore = Math.max(...acked)
    const killedAt = Date.now()
    r.kill()
    await until(() => [...acked].some(s => s > seqsBefore + 1), 'a report acknowledged after the kill', 60_000)
    const seconds = (Date.now() - killedAt) / 1000
    console.log(`replica failover (${transport}): reports acknowledged through B ${seconds.toFixed(1)} s after A was killed`)
    assert.ok(seconds < 30, `the agent reported through B within 30 s (took ${seconds} s)`)
    const after = await exec(b, agentId, 'process.stdout.write("still-here")')
    assert.equal(after.stdout, 'still-here')

    await agent.stop()
    await assertStoredOnce(r, agentId, acked)
  })
}

test('behind a load balancer that spreads connections over both replicas (POST only): exec, terminal, download; one replica dies, nothing is lost', { timeout: 120_000 }, async (t) => {
  const r = await replicas(t)
  const lb = await startTcpBalancer([{ host: '127.0.0.1', port: r.aPort }, { host: '127.0.0.1', port: Number(new URL(r.b.url).port) }])
  t.after(() => lb.close())
  const tree = fileTree(t)
  // One upstream: the balancer. Every new connection of the agent may land on either replica.
  const { agent, agentId, acked } = await agentOn(t, r, 'http', tree.policy(), [`https://127.0.0.1:${lb.port}`])
  const { b } = r

  for (let i = 0; i < 3; i++) assert.equal((await exec(b, agentId, `process.stdout.write("lb-${i}")`)).stdout, `lb-${i}`)
  await terminal(b, agentId, 'carol')
  const data = randomBytes(1024 * 1024 + 3)
  const target = path.join(tree.root, 'pub/lb.bin')
  assert.equal((await uploadFile(b.url, b.adminToken, agentId, target, data)).status, 200)
  const down = await downloadFile(b.url, b.adminToken, agentId, target, { keepBody: false })
  assert.equal(down.sha256, sha(data))
  console.log(`balancer connections per replica: ${JSON.stringify(lb.counts)}`)
  assert.ok(lb.counts[0]! > 0 && lb.counts[1]! > 0, `the agent's connections reached both replicas: ${JSON.stringify(lb.counts)}`)

  const before = Math.max(...acked)
  r.kill()
  await until(() => [...acked].some(s => s > before + 1), 'reports acknowledged through the balancer after A died', 60_000)
  assert.equal((await exec(b, agentId, 'process.stdout.write("after")')).stdout, 'after')
  await agent.stop()
  await assertStoredOnce(r, agentId, acked)
})
