/**
 * `npm run bench:poll`: how fast a queued instruction reaches a long-polling agent. A real hub
 * runs in its own process; simulated agents (real keys, real enrollment) each hold an "awaiting
 * instructions" POST and poll again the moment it is answered (answering each instruction with a
 * result, as a real agent does); an operator queues `exec` commands for random agents through
 * the operator API at a bounded rate. Latency: from just before the operator POST is sent to the
 * moment the answer carrying that instruction arrives (a poll answer, or rarely the answer to a
 * result the agent just sent: the hub hands queued instructions out there too; counted apart). In the same run, the floor: a bare
 * node:https request → response round trip (same certificate, keep-alive) at the same rate.
 * Target (issue): p99 within 50 ms.
 *
 *   npm run bench:poll -- [--agents 50] [--commands 1000] [--rate 50] [--wait-ms 25000] [--max-seconds 120]
 */
import https from 'node:https'
import { setTimeout as delay } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { HubPath } from '@outpost/protocol'
import { enrollSimulatedAgent, type SimulatedAgent } from '@outpost/testkit'
import { startChildServer } from './support/child-server.ts'
import { LatencyRecorder } from './support/load-stats.ts'
import { post, type PostAnswer, signedPost } from './support/bench-post.ts'

const { values: opt } = parseArgs({
  options: {
    agents: { type: 'string', default: '50' }, commands: { type: 'string', default: '1000' }, rate: { type: 'string', default: '50' },
    'wait-ms': { type: 'string', default: '25000' }, 'max-seconds': { type: 'string', default: '120' }, warmup: { type: 'string', default: '20' }
  }
})
const AGENTS = Number(opt.agents)
const COMMANDS = Number(opt.commands)
const RATE = Number(opt.rate)
const WAIT_MS = Number(opt['wait-ms'])
const MAX_MS = Number(opt['max-seconds']) * 1000
const WARMUP = Number(opt.warmup)
const TARGET_P99_MS = 50

interface Instruction { readonly id: string, readonly body: { readonly argv?: readonly string[] } }

/** Per-command timing: sent (before the operator POST), arrived (poll answer). */
const sentAt = new Map<string, number>()
const arrivedAt = new Map<string, number>()
let pollErrors = 0
let resultErrors = 0
let operatorErrors = 0
/** Instructions that first arrived in the answer to a result rather than to a poll. */
let viaResult = 0

/** One simulated agent's poll loop; answers every instruction with a result, then polls again. */
async function pollLoop (hubUrl: string, agent: SimulatedAgent, pollAgent: https.Agent, resultAgent: https.Agent, stop: AbortSignal): Promise<void> {
  let seq = 0
  const poll = JSON.stringify({ type: 'poll', waitMs: WAIT_MS })
  for (let i = 0; i < 1_000_000 && !stop.aborted; i++) {
    let res: PostAnswer
    try {
      res = await signedPost(hubUrl, HubPath.AgentMessages, agent, poll, pollAgent, stop)
    } catch (err) {
      if (stop.aborted) return
      pollErrors++
      process.stderr.write(`poll failed: ${String(err)}\n`)
      await delay(100)
      continue
    }
    const now = performance.now()
    if (res.status !== 200) {
      pollErrors++
      await delay(100)
      continue
    }
    receive(res.text, now, 'poll')
  }

  // Like a real agent, take instructions from any answer: the hub also hands them out in the
  // answer to a result it stores.
  function receive (text: string, now: number, via: 'poll' | 'result'): void {
    for (const ins of (JSON.parse(text) as { instructions: Instruction[] }).instructions) {
      const tag = ins.body.argv?.[1]
      if (tag !== undefined && !arrivedAt.has(tag)) {
        arrivedAt.set(tag, now)
        if (via === 'result') viaResult++
      }
      const result = JSON.stringify({ type: 'result', seq: ++seq, time: Date.now(), instructionId: ins.id, outcome: 'completed', exitCode: 0 })
      signedPost(hubUrl, HubPath.AgentMessages, agent, result, resultAgent).then((r) => {
        if (r.status === 200) receive(r.text, performance.now(), 'result')
        else resultErrors++
      }, () => { resultErrors++ })
    }
  }
}

/** Queues COMMANDS exec commands at RATE per second for random agents; resolves when all are sent. */
async function operator (hubUrl: string, adminToken: string, agents: readonly SimulatedAgent[], deadline: number): Promise<void> {
  const opAgent = new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false })
  const inFlight = new Set<Promise<void>>()
  const start = performance.now()
  for (let i = 0; i < COMMANDS && performance.now() < deadline; i++) {
    const wait = start + i * 1000 / RATE - performance.now()
    if (wait > 0) await delay(wait)
    const agent = agents[Math.floor(Math.random() * agents.length)]!
    const tag = `bench-${i}`
    const body = JSON.stringify({ type: 'exec', argv: ['true', tag] })
    sentAt.set(tag, performance.now())
    const p = post(new URL(`/api/v1/hosts/${agent.agentId}/commands`, hubUrl), opAgent, { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body)
      .then((r) => { if (r.status !== 201) { operatorErrors++; process.stderr.write(`queueing failed: ${r.status} ${r.text}\n`) } }, () => { operatorErrors++ })
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  }
  await Promise.all([...inFlight])
  opAgent.destroy()
}

/** The floor: the same number of bare request → response round trips at the same rate. */
async function bareRoundTrips (url: string, count: number): Promise<LatencyRecorder> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false })
  const rec = new LatencyRecorder()
  const inFlight = new Set<Promise<void>>()
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const wait = start + i * 1000 / RATE - performance.now()
    if (wait > 0) await delay(wait)
    const t0 = performance.now()
    const p = post(new URL(HubPath.AgentMessages, url), agent, { 'content-type': 'application/json' }, JSON.stringify({ type: 'report', seq: i + 1 }))
      .then(() => { if (i >= WARMUP) rec.add(performance.now() - t0) })
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  }
  await Promise.all([...inFlight])
  agent.destroy()
  return rec
}

function line (name: string, r: LatencyRecorder): string {
  return `${name.padEnd(26)} count ${String(r.count).padStart(5)}  p50 ${r.quantile(0.5).toFixed(2).padStart(7)} ms  p99 ${r.quantile(0.99).toFixed(2).padStart(7)} ms  max ${r.quantile(1).toFixed(2).padStart(7)} ms`
}

const hub = await startChildServer<{ url: string, adminToken: string, tokens: string[], tlsDir: string }>('support/bench-hub-server.ts', ['--tokens', String(AGENTS)])
const bare = await startChildServer<{ url: string }>('support/bare-https-server.ts', [hub.info.tlsDir])
const stop = new AbortController()
const pollAgent = new https.Agent({ keepAlive: true, maxSockets: AGENTS + 4, rejectUnauthorized: false })
const resultAgent = new https.Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false })
try {
  const agents = await Promise.all(hub.info.tokens.map((token, i) => enrollSimulatedAgent(hub.info.url, token, `poll-${i}`)))
  process.stdout.write(`poll latency benchmark: ${AGENTS} polling agents (waitMs ${WAIT_MS}), ${COMMANDS} commands at ${RATE}/s, first ${WARMUP} not counted, node ${process.version}\n`)
  const loops = agents.map((a) => pollLoop(hub.info.url, a, pollAgent, resultAgent, stop.signal))
  const deadline = performance.now() + MAX_MS
  await delay(500) // let every agent's first poll reach the hub
  await operator(hub.info.url, hub.info.adminToken, agents, deadline)
  // Bounded wait for the last answers.
  for (let i = 0; i < 100 && arrivedAt.size < sentAt.size && performance.now() < deadline + 5000; i++) await delay(50)
  stop.abort()
  pollAgent.destroy()
  await Promise.all(loops)
  const rec = new LatencyRecorder()
  for (let i = WARMUP; i < sentAt.size; i++) {
    const t0 = sentAt.get(`bench-${i}`)
    const t1 = arrivedAt.get(`bench-${i}`)
    if (t0 !== undefined && t1 !== undefined) rec.add(t1 - t0)
  }
  const floor = await bareRoundTrips(bare.info.url, Math.min(sentAt.size, COMMANDS))
  const missing = sentAt.size - arrivedAt.size
  process.stdout.write(line('operator POST → poll answer', rec) + `  missing ${missing}\n`)
  process.stdout.write(line('bare node:https round trip', floor) + '\n')
  process.stdout.write(`arrived in a result's answer instead of a poll's: ${viaResult}\n`)
  process.stdout.write(`errors: operator ${operatorErrors}, poll ${pollErrors}, result ${resultErrors}\n`)
  process.stdout.write(`target p99 <= ${TARGET_P99_MS} ms: ${rec.quantile(0.99) <= TARGET_P99_MS ? 'met' : 'NOT met'}\n`)
  if (missing > 0 || operatorErrors > 0) process.exitCode = 1
} finally {
  stop.abort()
  pollAgent.destroy()
  resultAgent.destroy()
  await bare.stop()
  await hub.stop()
}
