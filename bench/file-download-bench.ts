/**
 * `npm run bench:download`: a file downloaded through the hub (operator GET → hub → agent PUT
 * streamed through) against the same file served by a bare node:https server (same certificate,
 * loopback). The hub, the agent (`outpost agent`, a real process) and the bare server each run in
 * a process of their own; the client here counts bytes. Reports MB/s for both and the ratio.
 * Target (issue): through the hub at least half the bare throughput.
 *
 *   npm run bench:download -- [--mb 100] [--runs 3]
 */
import fs from 'node:fs'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { api, startOutpost } from '@outpost/testkit'
import { startChildServer } from './support/child-server.ts'

const { values: opt } = parseArgs({ options: { mb: { type: 'string', default: '100' }, runs: { type: 'string', default: '3' } } })
const SIZE = Number(opt.mb) * 1024 * 1024
const RUNS = Number(opt.runs)
const TARGET_RATIO = 0.5
const CLOCK_TICKS = 100

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds (pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

interface HubInfo { url: string, adminToken: string, tokens: string[], tlsDir: string }

/** GETs `url` and discards the body; resolves with the bytes and the seconds it took. */
function timedGet (url: string, headers: Record<string, string>): Promise<{ bytes: number, seconds: number }> {
  const start = process.hrtime.bigint()
  return new Promise((resolve, reject) => {
    https.get(url, { headers, rejectUnauthorized: false, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET ${url}: HTTP ${res.statusCode ?? '?'}`))
        res.resume()
        return
      }
      let bytes = 0
      res.on('data', (c: Buffer) => { bytes += c.length })
      res.on('end', () => resolve({ bytes, seconds: Number(process.hrtime.bigint() - start) / 1e9 }))
      res.on('error', reject)
    }).on('error', reject)
  })
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-bench-download-'))
const file = path.join(dir, 'payload.bin')
const out = fs.openSync(file, 'w')
for (let left = SIZE; left > 0; left -= 4 * 1024 * 1024) fs.writeSync(out, randomBytes(Math.min(left, 4 * 1024 * 1024)))
fs.closeSync(out)

const hub = await startChildServer<HubInfo>('support/bench-hub-server.ts', ['--tokens', '1'])
const agent = startOutpost(['agent', '--enroll', hub.info.tokens[0] ?? '', '--state', path.join(dir, 'agent'), '--interval', '60s', '--log-level', 'warn'])
const bare = await startChildServer<{ url: string }>('support/bare-file-server.ts', [hub.info.tlsDir, file])
try {
  let hostId: string | undefined
  for (let i = 0; i < 300 && hostId === undefined; i++) {
    const hosts = await api(hub.info.url, hub.info.adminToken, '/hosts')
    hostId = (hosts.json as Array<{ id: string, status: string }>).find((h) => h.status === 'online')?.id
    if (hostId === undefined) await delay(100)
  }
  if (hostId === undefined) throw new Error('the agent did not come online')
  const viaHub = `${hub.info.url}/api/v1/hosts/${hostId}/files/download?path=${encodeURIComponent(file)}`
  const auth = { authorization: `Bearer ${hub.info.adminToken}` }
  const rows: Array<{ run: number, hub: number, bare: number }> = []
  const cpu = { hub: 0, agent: 0, bare: 0, clientHub: 0, clientBare: 0 }
  for (let run = 1; run <= RUNS; run++) {
    const [h0, a0, c0] = [hub.cpuSeconds(), cpuSeconds(agent.pid), process.cpuUsage()]
    const h = await timedGet(viaHub, auth)
    const c1 = process.cpuUsage(c0)
    cpu.hub += hub.cpuSeconds() - h0
    cpu.agent += cpuSeconds(agent.pid) - a0
    cpu.clientHub += (c1.user + c1.system) / 1e6
    const [b0, d0] = [bare.cpuSeconds(), process.cpuUsage()]
    const b = await timedGet(bare.info.url, {})
    const d1 = process.cpuUsage(d0)
    cpu.bare += bare.cpuSeconds() - b0
    cpu.clientBare += (d1.user + d1.system) / 1e6
    if (h.bytes !== SIZE || b.bytes !== SIZE) throw new Error(`short download: hub ${h.bytes}, bare ${b.bytes} of ${SIZE}`)
    rows.push({ run, hub: SIZE / 1e6 / h.seconds, bare: SIZE / 1e6 / b.seconds })
    process.stderr.write(`run ${run}: hub ${rows.at(-1)?.hub.toFixed(0)} MB/s, bare ${rows.at(-1)?.bare.toFixed(0)} MB/s\n`)
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
  const mh = median(rows.map((r) => r.hub))
  const mb = median(rows.map((r) => r.bare))
  console.log(`file download, ${SIZE / 1024 / 1024} MiB, ${RUNS} runs each (load average ${os.loadavg()[0]?.toFixed(2)})`)
  console.log('| run | through the hub | bare node:https | ratio |')
  console.log('| --- | --- | --- | --- |')
  for (const r of rows) console.log(`| ${r.run} | ${r.hub.toFixed(0)} MB/s | ${r.bare.toFixed(0)} MB/s | ${(r.hub / r.bare).toFixed(2)} |`)
  const per = (x: number): string => (x / RUNS).toFixed(2)
  console.log(`CPU seconds per download: through the hub: hub ${per(cpu.hub)}, agent ${per(cpu.agent)}, client ${per(cpu.clientHub)}; bare: server ${per(cpu.bare)}, client ${per(cpu.clientBare)}`)
  console.log(`median: hub ${mh.toFixed(0)} MB/s, bare ${mb.toFixed(0)} MB/s, ratio ${(mh / mb).toFixed(2)} (target ≥ ${TARGET_RATIO}) ${mh / mb >= TARGET_RATIO ? 'PASS' : 'FAIL'}`)
} finally {
  await agent.stop()
  await bare.stop()
  await hub.stop()
  fs.rmSync(dir, { recursive: true, force: true })
}
