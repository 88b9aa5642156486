/**
 * `npm run bench`: the load harness of issue 6. The hub runs in a process of its own (its RSS and
 * CPU are its alone), simulated agents in forked worker processes speak the real protocol with
 * the agent's own transport code (see support/sim-agent.ts). Every figure is printed beside a
 * baseline measured in the same run.
 *
 * a. Ingest over POST and over WebSocket: reports/s and values/s stored; baseline: bare
 *    node:https (POST) and bare `ws` (WebSocket) servers fed the same signed payloads.
 * b. Connected agents and the hub's RSS: ramp up to `--agents` WebSocket agents (default: as many
 *    as the hub's fd limit allows, at most 20,000); baseline: a bare `ws` TLS server holding them.
 * c. Instruction round trip (operator API → agent → result stored), p50/p99, with `--rt-agents`
 *    (10,000) connected; baseline: the same with 10 connected.
 * d. Reconnect storm: SIGTERM the hub under `--rt-agents` connected agents and start it again;
 *    time until all are back, 429/503 answers and any other error; baseline: the same agents
 *    on the bare `ws` server, restarted the same way.
 * e. Alert latency: a report over a threshold → alert stored → mail accepted by an SMTP sink,
 *    under the load of c (and with 10 agents as the baseline).
 *
 *   npm run bench -- [--store sqlite|postgres] [--only abcde] [--agents N] [--rt-agents 10000]
 *                    [--processes 4] [--ramp-s 60] [--rt-ramp-s (ramp-s)] [--window-s 30] [--samples 300] [--alert-cycles 20]
 *                    [--seconds 10] [--rounds 3] [--connections 64] [--ws-agents 64] [--inflight 4]
 *                    [--max-pending-auth N] [--max-lag-ms N]   (the hub's WebSocket admission bounds; 0 ms: no lag check)
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { enrollSimulatedAgent, startPostgres, startSmtpSink, type TestPostgres } from '@outpost/testkit'
import { startChildServer } from './support/child-server.ts'
import { BareUnderTest, connectedSection, fleetOptions, HubUnderTest, roundTripSection, stormSection } from './support/load-fleet-sections.ts'
import { ingestSection } from './support/load-ingest-section.ts'
import { fmt, progress, quietRules, say, startHub, type StoreChoice } from './support/load-report.ts'
import { SimFleet } from './support/sim-agents.ts'

const { values: opt } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' }, only: { type: 'string', default: 'abcde' },
    agents: { type: 'string' }, 'rt-agents': { type: 'string', default: '10000' }, processes: { type: 'string', default: '4' },
    'ramp-s': { type: 'string', default: '60' }, 'rt-ramp-s': { type: 'string' }, 'window-s': { type: 'string', default: '30' }, samples: { type: 'string', default: '300' },
    'alert-cycles': { type: 'string', default: '20' }, seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' }, 'ws-agents': { type: 'string', default: '64' }, inflight: { type: 'string', default: '4' },
    'storm-limit-s': { type: 'string', default: '180' }, 'max-pending-auth': { type: 'string' }, 'max-lag-ms': { type: 'string' }
  }
})
if (opt.store !== 'sqlite' && opt.store !== 'postgres') throw new Error('--store is sqlite or postgres')
const fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim())
// The hub needs a few dozen descriptors of its own (store, certificate, pipes, listening socket).
const MAX_AGENTS = Math.min(20_000, Number.isFinite(fdLimit) ? fdLimit - 100 : 20_000)
const AGENTS = Math.min(Number(opt.agents ?? MAX_AGENTS), MAX_AGENTS)
const RT_AGENTS = Math.min(Number(opt['rt-agents']), MAX_AGENTS)
const only = opt.only

const started = performance.now()
let pg: TestPostgres | undefined
const store = async (): Promise<StoreChoice> => {
  if (opt.store === 'sqlite') return { kind: 'sqlite' }
  pg = await startPostgres()
  return { kind: 'postgres', url: pg.url, schema: pg.schema }
}
say(`## Load harness (${opt.store}) — node ${process.version}, ${os.cpus().length} cores, fd limit ${fdLimit}, load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)

try {
  if (only.includes('a')) {
    const r = await ingestSection({ store: await store(), seconds: Number(opt.seconds), rounds: Number(opt.rounds), connections: Number(opt.connections), wsAgents: Number(opt['ws-agents']), inflight: Number(opt.inflight) })
    if (opt.store === 'postgres') say(`\nTarget (PostgreSQL): ≥ 100,000 values/s stored (Zabbix 6.0 on this machine): WebSocket ${fmt(r.ws)}, POST ${fmt(r.post)} → ${Math.max(r.ws, r.post) >= 100_000 ? 'met' : 'NOT met'}`)
    await pg?.cleanup()
    pg = undefined
  }
  if (/[bcde]/.test(only)) await fleetSections(await store())
} finally {
  await pg?.cleanup()
}
say(`\n(total ${fmt((performance.now() - started) / 1000)} s; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`)

async function fleetSections (storeChoice: StoreChoice): Promise<void> {
  const enrolled = Math.max(only.includes('b') ? AGENTS : 0, /[cde]/.test(only) ? RT_AGENTS : 0)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-load-'))
  const sink = await startSmtpSink()
  const ONCALL = 'oncall@example.test'
  const args = ['--data-dir', dataDir, '--smtp', sink.url, '--admin-email', ONCALL, ...(opt['max-pending-auth'] === undefined ? [] : ['--max-pending-auth', opt['max-pending-auth']]), ...(opt['max-lag-ms'] === undefined ? [] : ['--max-lag-ms', opt['max-lag-ms']])]
  progress(`fleet: starting the hub with ${enrolled + 1} enrollment tokens`)
  const hub = new HubUnderTest(await startHub(storeChoice, [...args, '--tokens', String(enrolled + 1)]), storeChoice, args)
  const bareServer = new BareUnderTest(await startChildServer<{ url: string }>('support/load-bare-ws-server.ts', [hub.info.tlsDir]), hub.info.tlsDir)
  const fleet = await SimFleet.start(Number(opt.processes))
  try {
    await quietRules(hub.info)
    const t0 = performance.now()
    await fleet.enroll(hub.info.tokens.slice(0, enrolled), [], 'load')
    progress(`fleet: ${enrolled} agents enrolled in ${fmt((performance.now() - t0) / 1000)} s`)
    const alertAgent = await enrollSimulatedAgent(hub.info.url, hub.info.tokens[enrolled]!, 'alert-probe')
    const alert = { agent: alertAgent, sink, cycles: Number(opt['alert-cycles']), seq: { n: 0 } }
    const rampS = Number(opt['ramp-s'])
    const rtRampS = Number(opt['rt-ramp-s'] ?? opt['ramp-s'])
    let rtRows: string[][] = []
    if (/[ce]/.test(only)) {
      rtRows.push(await roundTripSection(hub, fleet, 10, rampS, Number(opt.samples), alert))
      await fleet.halt()
    }
    if (only.includes('b')) await connectedSection(hub, fleet, AGENTS, rampS, Number(opt['window-s']), bareServer.proc.info.url, bareServer.proc.pid)
    if (/[cde]/.test(only)) {
      if (/[ce]/.test(only)) rtRows.push(await roundTripSection(hub, fleet, RT_AGENTS, rtRampS, Number(opt.samples), alert))
      else await fleet.run(fleetOptions(), 30_000, { agents: RT_AGENTS, rampMs: rtRampS * 1000 })
      if (rtRows.length > 0) printRoundTrips(rtRows)
      rtRows = []
      if (only.includes('d')) await stormSection(hub, bareServer, fleet, RT_AGENTS, Number(opt['storm-limit-s']), rtRampS)
    }
  } finally {
    await fleet.close()
    await bareServer.proc.stop()
    await hub.proc.stop()
    await sink.cleanup()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

function printRoundTrips (rows: string[][]): void {
  if (only.includes('c')) {
    say('\n### c. Instruction round trip (POST /hosts/:id/commands `file-stat` → agent → result stored, GET /commands/:id?wait), random agent each time\n')
    say('| agents connected | samples | p50 ms | p99 ms | max ms | failed | hub CPU while sampling, % |')
    say('|---:|---:|---:|---:|---:|---:|---:|')
    for (const r of rows) say(r[0]!)
    const last = rows.at(-1)![0]!.split('|')
    say(`\nTarget: p99 ≤ 20 ms with ${fmt(RT_AGENTS)} agents connected: ${last[4]!.trim()} ms → ${Number(last[4]!.replace(/,/g, '')) <= 20 ? 'met' : 'NOT met'}`)
  }
  if (only.includes('e')) {
    say('\n### e. Alert latency: report with `fs.used_pct[/]` = 95 (critical rule ≥ 90) → alert stored (API) → mail accepted by the SMTP sink, under the load of c\n')
    say('| agents connected | cycles | stored p50 ms | stored p99 ms | mailed p50 ms | mailed p99 ms |')
    say('|---:|---:|---:|---:|---:|---:|')
    for (const r of rows) say(r[1]!)
  }
}
