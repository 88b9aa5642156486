// Section a of the load benchmark: ingest over POST and over WebSocket, the hub (its own process,
// SQLite or PostgreSQL) against a bare node:https server (POST) and a bare `ws` server
// (WebSocket) fed the same signed payloads in the same run. Values stored per second = reports
// acknowledged (the hub acknowledges after its commit) × values per report.
import { enrollSimulatedAgent } from '@outpost/testkit'
import { startChildServer } from './child-server.ts'
import { median } from './load-stats.ts'
import { fmt, progress, say, startHub, type StoreChoice } from './load-report.ts'
import { runWsRound, type WsRoundResult } from './load-ws-ingest.ts'
import { METRIC_NAMES, ReportSigner, runRound, type RoundResult } from './signed-load.ts'

/** How section a runs. */
export interface IngestOptions {
  readonly store: StoreChoice
  readonly seconds: number
  readonly rounds: number
  /** POST: keep-alive connections (one request in flight each). */
  readonly connections: number
  /** WebSocket: agents, one socket each, and frames in flight per socket. */
  readonly wsAgents: number
  readonly inflight: number
}

const WARMUP_MS = 1000
const STOCK_RATE = 12_000

interface Row { reports: number, p50: number, p99: number, cpu: number, errors: number }

function postRow (r: RoundResult): Row {
  return { reports: r.reports / r.seconds, p50: r.p50, p99: r.p99, cpu: r.serverCpu, errors: r.errors }
}

function wsRow (r: WsRoundResult): Row {
  return { reports: r.reports / r.seconds, p50: r.p50, p99: r.p99, cpu: r.serverCpu, errors: r.errors }
}

function med (rows: Row[]): Row {
  return { reports: median(rows.map((r) => r.reports)), p50: median(rows.map((r) => r.p50)), p99: median(rows.map((r) => r.p99)), cpu: median(rows.map((r) => r.cpu)), errors: rows.reduce((a, r) => a + r.errors, 0) }
}

/** Runs section a and prints its table; returns the hub's median values/s over WebSocket and POST. */
export async function ingestSection (o: IngestOptions): Promise<{ post: number, ws: number }> {
  const agentsNeeded = Math.max(o.wsAgents, 200)
  const hub = await startHub(o.store, ['--tokens', String(agentsNeeded)])
  const barePost = await startChildServer<{ url: string }>('support/bare-https-server.ts', [hub.info.tlsDir])
  const bareWs = await startChildServer<{ url: string }>('support/load-bare-ws-server.ts', [hub.info.tlsDir])
  try {
    const agents = []
    for (let i = 0; i < hub.info.tokens.length; i += 50) {
      agents.push(...await Promise.all(hub.info.tokens.slice(i, i + 50).map((t, j) => enrollSimulatedAgent(hub.info.url, t, `ingest-${i + j}`))))
    }
    const signer = new ReportSigner(agents)
    const rows = { hubPost: [] as Row[], barePost: [] as Row[], hubWs: [] as Row[], bareWs: [] as Row[] }
    for (let r = 0; r < o.rounds; r++) {
      // Alternate the order so that neither side always runs on a warmer (or busier) machine.
      const sides = r % 2 === 0 ? (['bare', 'hub'] as const) : (['hub', 'bare'] as const)
      for (const side of sides) {
        const server = side === 'hub' ? hub : barePost
        const stock = signer.stock(Math.ceil(STOCK_RATE * (o.seconds + WARMUP_MS / 1000)))
        const res = await runRound({ target: side, baseUrl: server.info.url, connections: o.connections, seconds: o.seconds, warmupMs: WARMUP_MS, serverCpu: () => server.cpuSeconds() }, stock, signer)
        rows[side === 'hub' ? 'hubPost' : 'barePost'].push(postRow(res))
        progress(`a: round ${r + 1} POST ${side}: ${fmt(res.reports / res.seconds)} reports/s, errors ${res.errors}`)
      }
      for (const side of sides) {
        const server = side === 'hub' ? hub : bareWs
        const res = await runWsRound(server.info.url, agents.slice(0, o.wsAgents), o.inflight, o.seconds, WARMUP_MS, () => server.cpuSeconds())
        rows[side === 'hub' ? 'hubWs' : 'bareWs'].push(wsRow(res))
        progress(`a: round ${r + 1} WebSocket ${side}: ${fmt(res.reports / res.seconds)} reports/s, errors ${res.errors}`)
      }
    }
    const v = METRIC_NAMES.length
    const table: Array<[string, Row]> = [
      ['POST, hub', med(rows.hubPost)], ['POST, bare node:https (baseline)', med(rows.barePost)],
      ['WebSocket, hub', med(rows.hubWs)], ['WebSocket, bare ws (baseline)', med(rows.bareWs)]
    ]
    say(`\n### a. Ingest (${o.store.kind}): reports of ${v} values, median of ${o.rounds} rounds of ${o.seconds} s\n`)
    say(`POST: ${o.connections} keep-alive connections, one request in flight each, requests signed before the window. WebSocket: ${o.wsAgents} authenticated sockets, ${o.inflight} frames in flight each.\n`)
    say('| path | reports/s | values/s stored | p50 ms | p99 ms | server CPU, % of one core | errors |')
    say('|---|---:|---:|---:|---:|---:|---:|')
    for (const [name, r] of table) say(`| ${name} | ${fmt(r.reports)} | ${name.includes('bare') ? `(${fmt(r.reports * v)} parsed, none stored)` : fmt(r.reports * v)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.cpu * 100)} | ${r.errors} |`)
    const post = table[0]![1].reports * v
    const ws = table[2]![1].reports * v
    say(`\nhub / bare: POST ${fmt(table[0]![1].reports / table[1]![1].reports, 2)}, WebSocket ${fmt(table[2]![1].reports / table[3]![1].reports, 2)}`)
    return { post, ws }
  } finally {
    await bareWs.stop()
    await barePost.stop()
    await hub.stop()
  }
}
