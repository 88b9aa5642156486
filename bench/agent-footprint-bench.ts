/**
 * `npm run bench:agent`: the agent as shipped (`node bin/outpost.js agent --enroll TOKEN --state
 * DIR`, default transport and interval) against a real hub in its own process. After a warm-up,
 * samples the agent's resident memory (VmRSS) every second and its CPU time (utime + stime) over
 * the window, and, in the same run, the RSS of a bare `node -e 'setInterval(()=>{},1000)'` as the
 * floor. Targets (issue): at most 60 MB resident and 1 % of one core at the default 30 s interval.
 *
 *   npm run bench:agent -- [--seconds 180] [--warmup 30] [--interval 30s] [--node-flags "--flag …"]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as delay } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { startChildServer } from './support/child-server.ts'
import { median } from './support/load-stats.ts'
import { cpuSeconds, peakRssBytes, rssBytes } from './support/proc-sample.ts'

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' }, warmup: { type: 'string', default: '30' },
    interval: { type: 'string' }, 'node-flags': { type: 'string', default: '' }
  }
})
const SECONDS = Number(opt.seconds)
const WARMUP_S = Number(opt.warmup)
const SAMPLE_MS = 1000
const READY_TIMEOUT_MS = 60_000
const TARGET_RSS_MB = 60
const TARGET_CPU_PCT = 1
const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'outpost.js')
const MB = 1024 * 1024

/** Resolves when a JSON log line of the agent says it started; rejects if it exits first. */
function waitForStart (child: ChildProcess, problems: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the agent did not start in time')), READY_TIMEOUT_MS)
    child.once('exit', (code) => reject(new Error(`the agent exited (${String(code)}) before it started`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: { level?: number, msg?: string }
      try {
        entry = JSON.parse(line) as { level?: number, msg?: string }
      } catch {
        problems.push(line) // not a log line: show it in the summary
        return
      }
      if ((entry.level ?? 0) >= 40) problems.push(line)
      if (entry.msg === 'agent starting') {
        clearTimeout(timer)
        resolve()
      }
    })
  })
}

async function stopChild (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await once(child, 'exit')
  clearTimeout(timer)
}

function mb (bytes: number): string {
  return (bytes / MB).toFixed(1).padStart(6) + ' MB'
}

const hub = await startChildServer<{ url: string, tokens: string[] }>('support/bench-hub-server.ts', ['--tokens', '1'])
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-bench-agent-'))
const nodeFlags = opt['node-flags'].split(' ').filter((f) => f !== '')
const agentArgs = ['agent', '--enroll', hub.info.tokens[0] ?? '', '--state', stateDir, ...(opt.interval === undefined ? [] : ['--interval', opt.interval])]
const agent = spawn(process.execPath, [...nodeFlags, BIN, ...agentArgs], { stdio: ['ignore', 'pipe', 'inherit'] })
const bare = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' })
const problems: string[] = []
try {
  await waitForStart(agent, problems)
  const pid = agent.pid!
  process.stdout.write(`agent footprint: pid ${pid}, interval ${opt.interval ?? 'default (30s)'}, warm-up ${WARMUP_S} s, window ${SECONDS} s, node ${process.version}${nodeFlags.length > 0 ? `, node flags ${nodeFlags.join(' ')}` : ''}\n`)
  await delay(WARMUP_S * 1000)
  const agentRss: number[] = []
  const bareRss: number[] = []
  const cpu0 = cpuSeconds(pid)
  const t0 = performance.now()
  for (let i = 0; i < SECONDS * 1000 / SAMPLE_MS && agent.exitCode === null; i++) {
    agentRss.push(rssBytes(pid))
    bareRss.push(rssBytes(bare.pid!))
    await delay(SAMPLE_MS)
  }
  const cpu = cpuSeconds(pid) - cpu0
  const elapsed = (performance.now() - t0) / 1000
  const maxRss = Math.max(...agentRss)
  const cpuPct = cpu / elapsed * 100
  process.stdout.write(`agent RSS   max ${mb(maxRss)}  median ${mb(median(agentRss))}  peak since start (VmHWM) ${mb(peakRssBytes(pid))}\n`)
  process.stdout.write(`agent CPU   ${cpu.toFixed(2)} s in ${elapsed.toFixed(0)} s = ${cpuPct.toFixed(3)} % of one core\n`)
  process.stdout.write(`bare node   RSS max ${mb(Math.max(...bareRss))}  median ${mb(median(bareRss))}  (the floor)\n`)
  process.stdout.write(`targets     RSS <= ${TARGET_RSS_MB} MB: ${maxRss <= TARGET_RSS_MB * MB ? 'met' : 'NOT met'};  CPU <= ${TARGET_CPU_PCT} %: ${cpuPct <= TARGET_CPU_PCT ? 'met' : 'NOT met'}\n`)
  if (problems.length > 0) process.stdout.write(`agent warnings/errors (${problems.length}):\n${problems.slice(0, 10).join('\n')}\n`)
} finally {
  await stopChild(agent)
  await stopChild(bare)
  await hub.stop()
  fs.rmSync(stateDir, { recursive: true, force: true })
}
