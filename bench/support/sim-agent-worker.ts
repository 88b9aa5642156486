// A child process that runs many simulated agents (see sim-agent.ts), driven by its parent over
// the IPC channel (see sim-agents.ts): enroll identities, start them with an upstream list, report
// counters and acknowledgement times, stop them. Exits when the parent goes away.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { enrollAgent, type AgentState } from '@outpost/agent'
import { SimAgent, type SimAgentOptions } from './sim-agent.ts'
import type { SimReply, SimRequest, SimStatus } from './sim-protocol.ts'

if (process.send === undefined) throw new Error('sim-agent-worker.ts runs under fork() from sim-agents.ts')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-sim-'))
const identities: AgentState[] = []
/** Last sequence number used per identity, so that a restart continues after it. */
const seqs = new Map<string, number>()
let agents: SimAgent[] = []

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T, R> (items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!, i)
    }
  }))
  return out
}

async function enroll (tokens: readonly string[], upstreams: readonly string[], prefix: string): Promise<string[]> {
  const states = await pool(tokens, 8, async (token, i) => {
    const stateDir = path.join(dir, `${prefix}-${identities.length + i}`)
    return await enrollAgent({ token, stateDir, upstreams, hostname: `${prefix}-${i}` })
  })
  identities.push(...states)
  return states.map((s) => s.agentId)
}

function start (opts: Omit<SimAgentOptions, 'firstReportMs'>, spreadMs: number, count = identities.length, rampMs = 0): string[] {
  const chosen = identities.slice(0, count)
  agents = chosen.map((s, i) => new SimAgent(s, {
    ...opts,
    firstReportMs: Math.round(Math.random() * spreadMs),
    ...(rampMs > 0 ? { startAfterMs: Math.round(rampMs * i / chosen.length) } : {})
  }, seqs.get(s.agentId) ?? 0))
  for (const a of agents) a.start()
  return chosen.map((s) => s.agentId)
}

async function stop (): Promise<void> {
  await Promise.all(agents.map((a) => a.stop()))
  for (const a of agents) seqs.set(a.state.agentId, a.seq)
  agents = []
}

function status (): SimStatus {
  const s: SimStatus = { agents: agents.length, reporting: 0, reportsSent: 0, reportsAcked: 0, sendErrors: 0, pollErrors: 0, instructions: 0, errorKinds: {}, ws: 0, upstreams: {} }
  for (const a of agents) {
    if (a.counters.reportsAcked > 0) s.reporting++
    s.reportsSent += a.counters.reportsSent
    s.reportsAcked += a.counters.reportsAcked
    s.sendErrors += a.counters.sendErrors
    s.pollErrors += a.counters.pollErrors
    s.instructions += a.counters.instructions
    for (const [k, n] of Object.entries(a.counters.errorKinds)) s.errorKinds[k] = (s.errorKinds[k] ?? 0) + n
    if (a.kind === 'ws') s.ws++
    s.upstreams[String(a.upstream)] = (s.upstreams[String(a.upstream)] ?? 0) + 1
  }
  return s
}

async function handle (req: SimRequest): Promise<unknown> {
  switch (req.cmd) {
    case 'enroll': return await enroll(req.tokens, req.upstreams, req.prefix)
    case 'start': return start(req.options, req.spreadMs, req.agents, req.rampMs)
    case 'status': return status()
    case 'acks-after': return agents.map((a) => a.acks.find((k) => k.at >= req.time) ?? null)
    case 'stop': await stop(); return null
  }
}

process.on('message', (req: SimRequest) => {
  handle(req).then(
    (result) => process.send!({ id: req.id, ok: true, result } satisfies SimReply),
    (err: unknown) => process.send!({ id: req.id, ok: false, error: err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err) } satisfies SimReply)
  )
})
process.on('disconnect', () => {
  void stop().finally(() => {
    fs.rmSync(dir, { recursive: true, force: true })
    process.exit(0)
  })
})
process.send({ id: 0, ok: true, result: 'ready' } satisfies SimReply)
