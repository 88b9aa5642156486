/**
 * `npm run bench:terminal`: keystroke echo through the hub. A real hub and a real agent (in this
 * process, on loopback) relay a live session; the operator's WebSocket sends one byte at a time
 * to `cat` running in the session's pty in raw mode (no line discipline echo: `cat` itself writes
 * the byte back), and times each byte's round trip: operator → hub → agent → pty → cat → pty →
 * agent → hub → operator. Baseline in the same run: the same keystrokes to `cat` in a local
 * node-pty without the hub. Target (issue): p99 ≤ 30 ms through the hub.
 *
 *   npm run bench:terminal -- [--keys 500] [--gap-ms 2]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import pty from 'node-pty'
import { api, startHub } from '@outpost/testkit'
import { createAgent, enrollAgent, parseAgentConfig } from '@outpost/agent'
import { LatencyRecorder } from './support/load-stats.ts'

const { values: opt } = parseArgs({ options: { keys: { type: 'string', default: '500' }, 'gap-ms': { type: 'string', default: '2' } } })
const KEYS = Math.min(Number(opt.keys), 5000)
const GAP_MS = Number(opt['gap-ms'])
const TARGET_P99_MS = 30
const KEY_TIMEOUT_MS = 5000
const CAT = 'stty raw -echo; echo BENCH""READY; exec cat\r'

/** Sends `KEYS` single bytes through `send`, each after the previous one came back. */
async function measure (send: (b: Buffer) => void, onByte: (cb: (chunk: string) => void) => void): Promise<LatencyRecorder> {
  const rec = new LatencyRecorder()
  let waiting: { key: string, resolve: () => void } | undefined
  let seen = ''
  onByte((chunk) => {
    seen += chunk
    if (waiting !== undefined && seen.includes(waiting.key)) {
      seen = ''
      const w = waiting
      waiting = undefined
      w.resolve()
    }
  })
  for (let i = 0; i < KEYS; i++) {
    const key = String.fromCharCode(97 + (i % 26))
    seen = ''
    const back = new Promise<void>((resolve, reject) => {
      waiting = { key, resolve }
      setTimeout(() => { reject(new Error(`keystroke ${i} did not come back within ${KEY_TIMEOUT_MS} ms`)) }, KEY_TIMEOUT_MS).unref()
    })
    const t0 = performance.now()
    send(Buffer.from(key))
    await back
    rec.add(performance.now() - t0)
    if (GAP_MS > 0) await delay(GAP_MS)
  }
  return rec
}

async function viaHub (): Promise<LatencyRecorder> {
  const hub = await startHub({ config: { logLevel: 'warn' } })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-bench-term-'))
  const stateDir = path.join(dir, 'state')
  const agent = createAgent(parseAgentConfig({ stateDir: (await enrollAgent({ token: await hub.enrollToken(), stateDir }), stateDir), intervalMs: 60_000, pollWaitMs: 5000, thresholds: [], logLevel: 'silent' }))
  try {
    await agent.start()
    await once(agent, 'acked', { signal: AbortSignal.timeout(20_000) })
    const created = await api(hub.url, hub.adminToken, `/hosts/${agent.agentId ?? ''}/sessions`, { method: 'POST', body: { kind: 'terminal', cols: 80, rows: 24 } })
    if (created.status !== 201) throw new Error(`opening the session failed: ${created.text}`)
    const ws = new WebSocket(`wss://${new URL(hub.url).host}/api/v1/sessions/${created.json.id as string}/ws`, { headers: { authorization: `Bearer ${hub.adminToken}` }, rejectUnauthorized: false })
    const listeners: Array<(s: string) => void> = []
    let all = ''
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return
      const s = Buffer.from(data as Buffer).toString('latin1')
      all += s
      for (const l of listeners) l(s)
    })
    await once(ws, 'open')
    ws.send(Buffer.from(CAT))
    for (let i = 0; i < 200 && !all.includes('BENCHREADY'); i++) await delay(50)
    if (!all.includes('BENCHREADY')) throw new Error(`cat did not start: ${JSON.stringify(all.slice(-300))}`)
    await delay(200)
    const rec = await measure((b) => { ws.send(b) }, (cb) => { listeners.push(cb) })
    ws.close()
    return rec
  } finally {
    await agent.stop()
    await hub.cleanup()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

async function localPty (): Promise<LatencyRecorder> {
  const p = pty.spawn('/bin/sh', [], { name: 'xterm-256color', cols: 80, rows: 24, cwd: os.homedir(), env: { ...process.env, TERM: 'xterm-256color' } })
  const listeners: Array<(s: string) => void> = []
  let all = ''
  p.onData((d) => { all += d; for (const l of listeners) l(d) })
  p.write(CAT)
  for (let i = 0; i < 200 && !all.includes('BENCHREADY'); i++) await delay(50)
  await delay(200)
  try {
    return await measure((b) => { p.write(b.toString('latin1')) }, (cb) => { listeners.push(cb) })
  } finally {
    p.kill()
  }
}

const fmt = (n: number): string => n.toFixed(2)
const base = await localPty()
const hub = await viaHub()
const rows = [['local node-pty (baseline)', base], ['through the hub (WebSocket both sides)', hub]] as const
console.log(`keystroke echo, ${KEYS} keys, one at a time (gap ${GAP_MS} ms), loopback, one process`)
for (const [name, r] of rows) console.log(`  ${name.padEnd(40)} p50 ${fmt(r.quantile(0.5))} ms  p99 ${fmt(r.quantile(0.99))} ms  max ${fmt(r.quantile(1))} ms`)
console.log(`  ratio hub/baseline: p50 ${fmt(hub.quantile(0.5) / base.quantile(0.5))}x  p99 ${fmt(hub.quantile(0.99) / base.quantile(0.99))}x`)
const ok = hub.quantile(0.99) <= TARGET_P99_MS
console.log(`  target p99 ≤ ${TARGET_P99_MS} ms through the hub: ${ok ? 'met' : 'MISSED'}`)
process.exitCode = ok ? 0 : 1
