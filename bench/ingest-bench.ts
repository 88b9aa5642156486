/**
 * `npm run bench:ingest`: simulated agents POST signed reports of 40 values to a real hub (its own
 * process, SQLite store) for a fixed time, and in the same run the same load goes to a bare
 * node:https server that only parses the body. Prints reports/s, values/s, p50/p99 latency and
 * CPU of each side, per round, then the hub/bare ratio of the medians.
 *
 * The loader signs each round's requests before the timed window and sends them over undici
 * keep-alive connections, so that it stays cheaper than the server it drives: compare "server
 * CPU" (one core = 100 %) with "loader CPU" on each line to see which side saturated.
 *
 *   npm run bench:ingest -- [--seconds 10] [--agents 200] [--connections 32] [--rounds 3] [--stock-rate 12000] [--only hub|bare]
 */
import { parseArgs } from 'node:util'
import { enrollSimulatedAgent } from '@outpost/testkit'
import { startChildServer, type ChildServer } from './support/child-server.ts'
import { median } from './support/load-stats.ts'
import { METRIC_NAMES, ReportSigner, runRound, type RoundResult } from './support/signed-load.ts'

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' }, agents: { type: 'string', default: '200' },
    connections: { type: 'string', default: '32' }, rounds: { type: 'string', default: '3' },
    // Requests signed ahead per second of round; past that the loader signs inside the window.
    'stock-rate': { type: 'string', default: '12000' },
    // `hub` or `bare` alone, e.g. to profile one side.
    only: { type: 'string' }
  }
})
const SECONDS = Number(opt.seconds)
const AGENTS = Number(opt.agents)
const CONNECTIONS = Number(opt.connections)
const ROUNDS = Number(opt.rounds)
const STOCK_RATE = Number(opt['stock-rate'])
const WARMUP_MS = 1000

function line (r: RoundResult): string {
  const rate = r.reports / r.seconds
  const live = r.signedLive > 0 ? `  signed live ${r.signedLive}` : ''
  return `${r.target.padEnd(5)} ${Math.round(rate).toString().padStart(7)} reports/s ${Math.round(rate * METRIC_NAMES.length).toString().padStart(9)} values/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  server CPU ${(r.serverCpu * 100).toFixed(0).padStart(3)} %  loader CPU ${(r.loaderCpu * 100).toFixed(0).padStart(3)} %  errors ${r.errors}${live}`
}

const hub = await startChildServer<{ url: string, tokens: string[], tlsDir: string }>('support/bench-hub-server.ts', ['--tokens', String(AGENTS)])
const bare = await startChildServer<{ url: string }>('support/bare-https-server.ts', [hub.info.tlsDir])
try {
  const agents = await Promise.all(hub.info.tokens.map((token, i) => enrollSimulatedAgent(hub.info.url, token, `bench-${i}`)))
  const signer = new ReportSigner(agents)
  process.stdout.write(`ingest benchmark: ${AGENTS} agents, ${CONNECTIONS} connections, ${METRIC_NAMES.length} values a report, ${SECONDS} s a round, ${ROUNDS} rounds, node ${process.version}\n`)
  const results: { hub: RoundResult[], bare: RoundResult[] } = { hub: [], bare: [] }
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order so that neither side always runs on a warmer machine.
    const order = r % 2 === 0 ? (['bare', 'hub'] as const) : (['hub', 'bare'] as const)
    for (const target of order.filter((t) => opt.only === undefined || t === opt.only)) {
      const server: ChildServer<{ url: string }> = target === 'hub' ? hub : bare
      // Signed just before the round: request times stay well inside the hub's 5-minute window.
      const stock = signer.stock(Math.ceil(STOCK_RATE * (SECONDS + WARMUP_MS / 1000)))
      const res = await runRound({ target, baseUrl: server.info.url, connections: CONNECTIONS, seconds: SECONDS, warmupMs: WARMUP_MS, serverCpu: () => server.cpuSeconds() }, stock, signer)
      results[target].push(res)
      process.stdout.write(line(res) + '\n')
    }
  }
  const hubRate = median(results.hub.map((x) => x.reports / x.seconds))
  const bareRate = median(results.bare.map((x) => x.reports / x.seconds))
  process.stdout.write(`\nmedian: hub ${Math.round(hubRate)} reports/s (${Math.round(hubRate * METRIC_NAMES.length)} values/s), bare node:https ${Math.round(bareRate)} reports/s\n`)
  if (opt.only === undefined) process.stdout.write(`ratio hub / bare = ${(hubRate / bareRate).toFixed(2)}\n`)
  if (results.hub.some((x) => x.errors > 0)) process.exitCode = 1
} finally {
  await bare.stop()
  await hub.stop()
}
