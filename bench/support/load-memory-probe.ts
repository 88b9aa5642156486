// What the hub holds in memory per connected agent WebSocket. Starts the benchmark hub (SQLite,
// own process, with memory-probe-hook.ts and --expose-gc), measures it idle after a forced GC,
// ramps N simulated agents (real protocol, WebSocket) over RAMP_S, and measures again once all
// are connected: RSS before and after a forced GC, heapUsed, external and arrayBuffers, per agent
// above idle. MODE `connect`: agents' first report is far away (socket and session cost only);
// `report`: every agent reports within 30 s, then every 30 s ± 20 %, and is measured 75 s after the start.
// `bare-connect`, `bare-report`: the same against the bare `ws` baseline (load-bare-ws-server.ts).
// With SNAP_DIR, heap snapshots of the idle and the loaded server are written there.
// Usage: node load-memory-probe.ts N RAMP_S connect|report|bare-connect|bare-report [SNAP_DIR] [-- server node flags…]
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as delay } from 'node:timers/promises'
import { cpuSeconds, rssBytes } from './proc-sample.ts'
import { SimFleet } from './sim-agents.ts'
import { fleetOptions } from './load-fleet-sections.ts'
import type { MemoryProbeReply, MemoryProbeRequest } from './memory-probe-hook.ts'

const dash = process.argv.indexOf('--')
const args = dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash)
const nodeFlags = dash < 0 ? [] : process.argv.slice(dash + 1)
const n = Number(args[0] ?? 2000)
const rampS = Number(args[1] ?? 20)
const [server, mode] = (args[2] ?? 'connect').startsWith('bare-') ? ['bare', args[2]!.slice(5)] : ['hub', args[2] ?? 'connect']
const snapDir = args[3]
if (mode !== 'connect' && mode !== 'report') throw new Error('MODE is connect, report, bare-connect or bare-report')

const probed = (script: string, more: string[]): ChildProcess => spawn(process.execPath, ['--expose-gc', '--import', path.join(import.meta.dirname, 'memory-probe-hook.ts'), ...nodeFlags, path.join(import.meta.dirname, script), ...more], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
const firstLine = async (c: ChildProcess): Promise<string> => ((await once(createInterface({ input: c.stdout! }), 'line')) as [string])[0]
const hub = probed('bench-hub-server.ts', ['--tokens', String(n)])
const info = JSON.parse(await firstLine(hub)) as { url: string, tokens: string[], tlsDir: string }
// The server measured: the hub, or the bare baseline with the hub's certificate (agents pin it).
const child = server === 'bare' ? probed('load-bare-ws-server.ts', [info.tlsDir]) : hub
const url = server === 'bare' ? (JSON.parse(await firstLine(child)) as { url: string }).url : undefined

type Sample = MemoryProbeReply & { anon: number }

/** Anonymous resident memory (heap, malloc, stacks) of `pid`, from smaps_rollup. */
function anonBytes (pid: number): number {
  const m = /^Anonymous:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))
  return m === null ? Number.NaN : Number(m[1]) * 1024
}

async function ask (req: MemoryProbeRequest): Promise<Sample> {
  const answer = once(child, 'message') as Promise<[MemoryProbeReply]>
  child.send(req)
  return { ...(await answer)[0], anon: anonBytes(child.pid!) }
}

const KiB = 1024
const row = (label: string, m: Sample, base?: Sample, count = 1): string => {
  const f = (k: 'rss' | 'heapTotal' | 'heapUsed' | 'external' | 'arrayBuffers' | 'anon'): string => base === undefined
    ? `${(m[k] / 2 ** 20).toFixed(1)} MiB`
    : `${((m[k] - base[k]) / count / KiB).toFixed(1)} KiB`
  return `${label}: anon ${f('anon')}, rss ${f('rss')}, heapTotal ${f('heapTotal')}, heapUsed ${f('heapUsed')}, external ${f('external')}, arrayBuffers ${f('arrayBuffers')}; new space ${(m.spaces.new_space?.size ?? 0) / 2 ** 20} MiB, old space used ${((m.spaces.old_space?.used ?? 0) / 2 ** 20).toFixed(1)} MiB; workers' heaps ${m.workers.map((w) => `${(w.total / 2 ** 20).toFixed(0)}/${(w.used / 2 ** 20).toFixed(0)}`).join(', ')} MiB (total/used)`
}

const fleet = await SimFleet.start(4)
await fleet.enroll(info.tokens, [], 'probe')
await delay(2000)
const idle = await ask({ cmd: 'memory', gc: true })
process.stdout.write(row('idle (after GC)', idle) + '\n')
if (snapDir !== undefined) process.stdout.write(`snapshot ${(await ask({ cmd: 'snapshot', file: path.join(snapDir, `hub-idle-${n}.heapsnapshot`) })).file ?? ''}\n`)

const t0 = performance.now()
const cpu0 = cpuSeconds(child.pid!)
// In `connect` mode the first reports are due long after the measurement.
await fleet.run(fleetOptions(url), mode === 'report' ? 30_000 : 3_600_000, { rampMs: rampS * 1000 })
let s = await fleet.status()
for (let i = 0; i < 60 && s.ws < n; i++) {
  await delay(5000)
  s = await fleet.status()
  process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(0)} s: ws ${s.ws}, RSS ${(rssBytes(child.pid!) / 2 ** 20).toFixed(0)} MiB, errors ${JSON.stringify(s.errorKinds)}\n`)
}
// Settle: reports (mode `report`) are due within 30 s of the start; let every agent send two.
await delay(mode === 'report' ? Math.max(5000, 75_000 - (performance.now() - t0)) : 5000)
s = await fleet.status()
const count = s.ws
const cpu = cpuSeconds(child.pid!) - cpu0
const secs = (performance.now() - t0) / 1000
const noGc = await ask({ cmd: 'memory', gc: false })
const gced = await ask({ cmd: 'memory', gc: true })
process.stdout.write(`${count} of ${n} connected, ${s.reporting} reported, ${s.reportsAcked} reports acked; server CPU ${cpu.toFixed(1)} s in ${secs.toFixed(0)} s\n`)
process.stdout.write(row('loaded (no GC)', noGc) + '\n')
process.stdout.write(row('loaded (after GC)', gced) + '\n')
process.stdout.write(row('per agent above idle, no GC', noGc, idle, count) + '\n')
process.stdout.write(row('per agent above idle, after GC', gced, idle, count) + '\n')
if (snapDir !== undefined) process.stdout.write(`snapshot ${(await ask({ cmd: 'snapshot', file: path.join(snapDir, `hub-loaded-${n}.heapsnapshot`) })).file ?? ''}\n`)
await fleet.close()
for (const c of server === 'bare' ? [child, hub] : [hub]) {
  c.kill('SIGTERM')
  await once(c, 'exit')
}
