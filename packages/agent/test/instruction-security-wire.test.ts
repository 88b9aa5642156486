// The agent judges every instruction it receives on its own, whatever carried it. A man in the
// middle that holds the hub's TLS identity (as a compromised relay or front end would) tampers
// with replies on their way to real agents of a real hub: an unsigned instruction, a tampered one,
// one replayed after it ran, and one meant for another agent are each refused with their own code,
// while a genuine instruction in the same reply still runs. An expired one comes from a hub whose
// clock is behind. Each refusal is one `rejected` result, never a lost reply.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import type { AddressInfo, Socket } from 'node:net'
import type { IncomingMessage } from 'node:http'
import { HubPath } from '@outpost/protocol'
import { api, startHub, type TestHub } from '@outpost/testkit'
import { AutoTransport, PinnedAgent, createAgent, enrollAgent, loadAgentState, parseAgentConfig, type Agent } from '@outpost/agent'

type Reply = { instructions: Array<Record<string, unknown>> }
type Tamper = (reply: Reply, agentId: string) => void

/** A TLS front with the hub's own certificate that lets `tamper` rewrite each agent reply. */
async function startTamperingFront (t: { after: (fn: () => unknown) => void }, hub: TestHub, tamper: Tamper): Promise<string> {
  const tlsDir = path.join(hub.dataDir, 'tls')
  const toHub = new PinnedAgent({ fingerprint: hub.fingerprint })
  const front = https.createServer({ cert: fs.readFileSync(path.join(tlsDir, 'hub-cert.pem')), key: fs.readFileSync(path.join(tlsDir, 'hub-key.pem')) }, (req: IncomingMessage, res) => {
    const up = https.request(new URL(req.url ?? '/', hub.url), { method: req.method, headers: req.headers, agent: toHub }, (hubRes) => {
      const chunks: Buffer[] = []
      hubRes.on('data', (c: Buffer) => chunks.push(c))
      hubRes.on('end', () => {
        let body = Buffer.concat(chunks)
        if (req.url === HubPath.AgentMessages && hubRes.statusCode === 200) {
          const reply = JSON.parse(body.toString('utf8')) as Reply
          tamper(reply, String(req.headers['x-outpost-agent']))
          body = Buffer.from(JSON.stringify(reply))
        }
        const headers = { ...hubRes.headers, 'content-length': String(body.length) }
        delete headers['transfer-encoding']
        res.writeHead(hubRes.statusCode ?? 502, headers)
        res.end(body)
      })
    })
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  front.on('upgrade', (_req: IncomingMessage, socket: Socket) => socket.destroy()) // POST only: the front sees every reply
  const sockets = new Set<Socket>()
  front.on('connection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)) })
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', () => resolve()))
  t.after(() => new Promise<void>((resolve) => { front.close(() => resolve()); for (const s of sockets) s.destroy(); toHub.destroy() }))
  return `https://127.0.0.1:${(front.address() as AddressInfo).port}`
}

/** A real agent behind `frontUrl`, POST/long-poll only. */
async function agentBehind (t: { after: (fn: () => unknown) => void }, hub: TestHub, frontUrl: string): Promise<{ agent: Agent, agentId: string, outcomes: Map<string, { outcome: string, code?: string }> }> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-wire-agent-'))
  t.after(() => fs.rmSync(stateDir, { recursive: true, force: true }))
  const { agentId } = await enrollAgent({ token: await hub.enrollToken(), stateDir })
  const state = loadAgentState(stateDir)
  const pinned = new PinnedAgent({ fingerprint: state.fingerprint })
  const transport = new AutoTransport({ hubUrl: frontUrl, agentId, privateKey: state.keyPair.privateKey, agent: pinned }, { mode: 'http', backoff: { minMs: 50, maxMs: 500 } })
  const agent = createAgent(parseAgentConfig({ stateDir, intervalMs: 60_000, pollWaitMs: 2_000, thresholds: [], logLevel: 'silent' }), { transport })
  const outcomes = new Map<string, { outcome: string, code?: string }>()
  agent.on('instruction', (i) => outcomes.set(i.id, i.code === undefined ? { outcome: i.outcome } : { outcome: i.outcome, code: i.code }))
  t.after(async () => { await agent.stop(); pinned.destroy() })
  await agent.start()
  return { agent, agentId, outcomes }
}

async function queueExec (hub: TestHub, agentId: string, argv: string[], ttlMs?: number): Promise<string> {
  const r = await api(hub.url, hub.adminToken, `/hosts/${agentId}/commands`, { method: 'POST', body: { type: 'exec', argv, ...(ttlMs === undefined ? {} : { ttlMs }) } })
  assert.equal(r.status, 201, r.text)
  return r.json.id as string
}

async function outcomeOf (agent: Agent, outcomes: Map<string, { outcome: string, code?: string }>, id: string): Promise<{ outcome: string, code?: string }> {
  const deadline = AbortSignal.timeout(20_000)
  while (!outcomes.has(id)) await once(agent, 'instruction', { signal: deadline })
  return outcomes.get(id) as { outcome: string, code?: string }
}

/** What the man in the middle does to the next reply that carries instructions. */
interface Plan { action: 'none' | 'unsign' | 'tamper' | 'replay' | 'steal' | 'deliver', replayId?: string, victim?: string, thief?: string, stolen: Array<Record<string, unknown>> }

test('unsigned, tampered, replayed and misaddressed instructions are each rejected with their own code', async (t) => {
  const hub = await startHub()
  t.after(() => hub.cleanup())
  const seen = new Map<string, Record<string, unknown>>()
  const plan: Plan = { action: 'none', stolen: [] }
  let stoleOne: () => void = () => {}
  const front = await startTamperingFront(t, hub, (reply, agentId) => {
    for (const i of reply.instructions) if (typeof i.id === 'string' && !seen.has(i.id)) seen.set(i.id, structuredClone(i))
    const first = reply.instructions[0]
    if (first === undefined) return
    switch (plan.action) {
      case 'unsign': delete first.signature; plan.action = 'none'; break
      case 'tamper': first.body = { type: 'exec', argv: ['sh', '-c', 'echo owned'] }; plan.action = 'none'; break
      case 'replay': reply.instructions.push(structuredClone(seen.get(plan.replayId ?? '') ?? {})); plan.action = 'none'; break
      case 'steal': if (agentId === plan.victim) { plan.stolen.push(...reply.instructions.splice(0)); plan.action = 'deliver'; stoleOne() } break
      case 'deliver': if (agentId === plan.thief) { reply.instructions.push(...plan.stolen.splice(0)); plan.action = 'none' } break
      case 'none': break
    }
  })
  const a = await agentBehind(t, hub, front)
  const b = await agentBehind(t, hub, front)

  const genuine = await queueExec(hub, a.agentId, ['true'])
  assert.deepEqual(await outcomeOf(a.agent, a.outcomes, genuine), { outcome: 'completed' }, 'an untouched instruction runs')

  plan.action = 'unsign'
  const unsigned = await queueExec(hub, a.agentId, ['true'])
  assert.deepEqual(await outcomeOf(a.agent, a.outcomes, unsigned), { outcome: 'rejected', code: 'AGENT_ERR_INSTRUCTION_UNSIGNED' })

  plan.action = 'tamper'
  const tampered = await queueExec(hub, a.agentId, ['true'])
  assert.deepEqual(await outcomeOf(a.agent, a.outcomes, tampered), { outcome: 'rejected', code: 'AGENT_ERR_INSTRUCTION_BAD_SIGNATURE' })

  // The genuine instruction, already run, rides along with a new one: refused; the new one runs.
  a.outcomes.delete(genuine)
  plan.action = 'replay'
  plan.replayId = genuine
  const fresh = await queueExec(hub, a.agentId, ['true'])
  assert.deepEqual(await outcomeOf(a.agent, a.outcomes, fresh), { outcome: 'completed' })
  assert.deepEqual(await outcomeOf(a.agent, a.outcomes, genuine), { outcome: 'rejected', code: 'AGENT_ERR_INSTRUCTION_REPLAYED' })

  // An instruction for B is taken from B's reply and handed to A.
  const stolen = new Promise<void>((resolve) => { stoleOne = resolve })
  plan.action = 'steal'
  plan.victim = b.agentId
  plan.thief = a.agentId
  const forB = await queueExec(hub, b.agentId, ['true'])
  await stolen
  const carrier = await queueExec(hub, a.agentId, ['true'])
  assert.deepEqual(await outcomeOf(a.agent, a.outcomes, forB), { outcome: 'rejected', code: 'AGENT_ERR_INSTRUCTION_WRONG_AGENT' })
  assert.deepEqual(await outcomeOf(a.agent, a.outcomes, carrier), { outcome: 'completed' }, 'the genuine instruction in the same reply still runs')
  assert.equal(b.outcomes.has(forB), false, 'B never received it')
})

test('an instruction that arrives after its expiry is rejected as expired', async (t) => {
  // The hub's clock is two minutes behind: what it signs as valid for one second has long expired
  // by the agent's clock (beyond the agent's 30-second tolerance) when it arrives.
  const hub = await startHub({ deps: { now: () => Date.now() - 120_000 } })
  t.after(() => hub.cleanup())
  const a = await agentBehind(t, hub, hub.url)
  const late = await queueExec(hub, a.agentId, ['true'], 1000)
  assert.deepEqual(await outcomeOf(a.agent, a.outcomes, late), { outcome: 'rejected', code: 'AGENT_ERR_INSTRUCTION_EXPIRED' })
})
