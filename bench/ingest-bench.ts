/**
 * `npm run bench:ingest`: simulated agents POST signed reports of 40 values to a real hub (its own
 * process, SQLite store) for a fixed time, and in the same run the same load goes to a bare
 * node:https server that only parses the body. Prints reports/s, values/s, p50/p99 latency and
 * CPU of each side, per round, then the hub/bare ratio of the medians.
 *
 *   npm run bench:ingest -- [--seconds 10] [--agents 200] [--connections 32] [--rounds 3]
 */
import https from 'node:https'
import { parseArgs } from 'node:util'
import { HubPath } from '@outpost/protocol'
import { agentHeaders, enrollSimulatedAgent, type SimulatedAgent } from '@outpost/testkit'
import { startChildServer } from './support/child-server.ts'
import { LatencyRecorder, median } from './support/load-stats.ts'

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' }, agents: { type: 'string', default: '200' },
    connections: { type: 'string', default: '32' }, rounds: { type: 'string', default: '3' }
  }
})
const SECONDS = Number(opt.seconds)
const AGENTS = Number(opt.agents)
const CONNECTIONS = Number(opt.connections)
const ROUNDS = Number(opt.rounds)
const WARMUP_MS = 1000

/** 40 metric names shaped like a real agent's status report. */
const NAMES = [
  'load.1m', 'load.5m', 'load.15m', 'cpu.util_pct', 'cpu.user_pct', 'cpu.system_pct', 'cpu.iowait_pct', 'mem.used_bytes', 'mem.used_pct', 'swap.used_bytes',
  'swap.used_pct', 'swap.in_bps', 'swap.out_bps', 'system.uptime_s', 'proc.count', ...['/', '/var', '/home', '/boot'].flatMap((m) => [`fs.used_bytes[${m}]`, `fs.used_pct[${m}]`, `fs.free_bytes[${m}]`]),
  ...['sda', 'sdb'].flatMap((d) => [`disk.read_bps[${d}]`, `disk.write_bps[${d}]`]),
  ...['eth0', 'eth1', 'lo'].flatMap((i) => [`net.rx_bps[${i}]`, `net.tx_bps[${i}]`, `net.rx_errors[${i}]`])
].slice(0, 40)

interface RoundResult { readonly target: string, readonly reports: number, readonly seconds: number, readonly p50: number, readonly p99: number, readonly errors: number, readonly serverCpu: number, readonly loaderCpu: number }

const seqs = new Map<string, number>()
function nextReport (agent: SimulatedAgent): { body: string, seq: number } {
  const seq = (seqs.get(agent.agentId) ?? 0) + 1
  seqs.set(agent.agentId, seq)
  const body = JSON.stringify({ type: 'report', seq, time: Date.now(), metrics: NAMES.map((name) => ({ name, value: Math.round(Math.random() * 10000) / 100 })) })
  return { body, seq }
}

function post (url: URL, agent: https.Agent, headers: Record<string, string>, body: string): Promise<{ status: number, text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => { text += c }).on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function round (name: string, base: string, agents: readonly SimulatedAgent[], cpu: () => number): Promise<RoundResult> {
  const url = new URL(HubPath.AgentMessages, base)
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: CONNECTIONS, rejectUnauthorized: false })
  const latencies = new LatencyRecorder()
  let errors = 0
  const start = performance.now()
  const measureFrom = start + WARMUP_MS
  const end = measureFrom + SECONDS * 1000
  let cpu0 = 0
  let loader0 = process.cpuUsage()
  setTimeout(() => { cpu0 = cpu(); loader0 = process.cpuUsage() }, WARMUP_MS).unref()
  await Promise.all(Array.from({ length: CONNECTIONS }, async (_, w) => {
    for (let i = w; performance.now() < end; i += CONNECTIONS) {
      const agent = agents[i % agents.length] as SimulatedAgent
      const { body, seq } = nextReport(agent)
      const t0 = performance.now()
      const res = await post(url, httpsAgent, agentHeaders(agent, body), body)
      const t1 = performance.now()
      const ok = res.status === 200 && (JSON.parse(res.text) as { accepted: number[] }).accepted.includes(seq)
      if (!ok) errors++
      if (t0 >= measureFrom && t1 <= end) latencies.add(t1 - t0)
    }
  }))
  const loader = process.cpuUsage(loader0)
  httpsAgent.destroy()
  return { target: name, reports: latencies.count, seconds: SECONDS, p50: latencies.quantile(0.5), p99: latencies.quantile(0.99), errors, serverCpu: (cpu() - cpu0) / SECONDS, loaderCpu: (loader.user + loader.system) / 1e6 / SECONDS }
}

function line (r: RoundResult): string {
  const rate = r.reports / r.seconds
  return `${r.target.padEnd(5)} ${Math.round(rate).toString().padStart(7)} reports/s ${Math.round(rate * NAMES.length).toString().padStart(9)} values/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  server CPU ${(r.serverCpu * 100).toFixed(0).padStart(3)} %  loader CPU ${(r.loaderCpu * 100).toFixed(0).padStart(3)} %  errors ${r.errors}`
}

const hub = await startChildServer<{ url: string, tokens: string[], tlsDir: string }>('support/bench-hub-server.ts', ['--tokens', String(AGENTS)])
const bare = await startChildServer<{ url: string }>('support/bare-https-server.ts', [hub.info.tlsDir])
try {
  const agents = await Promise.all(hub.info.tokens.map((token, i) => enrollSimulatedAgent(hub.info.url, token, `bench-${i}`)))
  process.stdout.write(`ingest benchmark: ${AGENTS} agents, ${CONNECTIONS} connections, ${NAMES.length} values a report, ${SECONDS} s a round, ${ROUNDS} rounds, node ${process.version}\n`)
  const results: { hub: RoundResult[], bare: RoundResult[] } = { hub: [], bare: [] }
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order so that neither side always runs on a warmer machine.
    const order = r % 2 === 0 ? (['bare', 'hub'] as const) : (['hub', 'bare'] as const)
    for (const target of order) {
      const server = target === 'hub' ? hub : bare
      const res = await round(target, server.info.url, agents, () => server.cpuSeconds())
      results[target].push(res)
      process.stdout.write(line(res) + '\n')
    }
  }
  const hubRate = median(results.hub.map((x) => x.reports / x.seconds))
  const bareRate = median(results.bare.map((x) => x.reports / x.seconds))
  process.stdout.write(`\nmedian: hub ${Math.round(hubRate)} reports/s (${Math.round(hubRate * NAMES.length)} values/s), bare node:https ${Math.round(bareRate)} reports/s\n`)
  process.stdout.write(`ratio hub / bare = ${(hubRate / bareRate).toFixed(2)}\n`)
  if (results.hub.some((x) => x.errors > 0)) process.exitCode = 1
} finally {
  await bare.stop()
  await hub.stop()
}
