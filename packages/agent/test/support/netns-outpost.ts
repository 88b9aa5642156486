// Real `outpost hub` and `outpost agent` processes inside the namespaces of a netns lab, an
// operator's way in (a portal from the test process), and the checks the relay tests share:
// a report received after a moment, and every message of an agent stored exactly once.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { setTimeout as sleep } from 'node:timers/promises'
import { api, portal, runOutpost, type NetnsLab, type OutpostProcess } from '@outpost/testkit'
import { DEFAULT_SPOOL_MAX_AGE_MS, DEFAULT_SPOOL_MAX_BYTES, DiskSpool } from '@outpost/agent'

type T = { after: (fn: () => unknown) => void }

/** Seconds, with one decimal, for the log lines the lead quotes. */
export const seconds = (ms: number): string => (ms / 1000).toFixed(1)

export function tempDir (t: T, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A hub in its namespace: `url` is how the lab reaches it, `api` how the test process does. */
export interface NetnsHub {
  readonly proc: OutpostProcess
  readonly url: string
  readonly fingerprint: string
  readonly dataDir: string
  /** The portal's https URL, in the test process's namespace. */
  readonly api: string
  /** An admin API token. */
  readonly token: string
  enrollToken (): Promise<string>
}

/** `outpost admin …` on the hub's data dir (a file, so no network is involved). */
async function admin (dataDir: string, args: readonly string[]): Promise<string> {
  const r = await runOutpost(['admin', ...args, '--data', dataDir], { timeoutMs: 20_000 })
  if (r.code !== 0) throw new Error(`outpost admin ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
  return r.stdout.trim()
}

/**
 * `outpost hub` inside `ns`, listening on `address` only, agents expected every 2 s. The API
 * token and `enrollTokens` enrollment tokens are made at once, side by side: each is an
 * `outpost admin` process, and starting them one by one is what makes these tests slow.
 */
export async function startNetnsHub (t: T, lab: NetnsLab, ns: string, address: string, opts: { enrollTokens?: number } = {}): Promise<NetnsHub> {
  const dataDir = tempDir(t, 'outpost-netns-hub-')
  const proc = lab.startOutpost(ns, ['hub', '--data', dataDir, '--listen', `${address}:0`, '--agent-interval', '2s'], { env: { OUTPOST_ADMIN_PASSWORD: 'correct horse battery' } })
  const line = await proc.waitForLog((l) => l.msg === 'hub listening', 20_000)
  const port = Number(line.port)
  const door = await portal(lab, ns, address, port)
  t.after(() => door.close())
  const [token, ...made] = await Promise.all([
    admin(dataDir, ['api-token', '--name', 'ops', '--role', 'admin']),
    ...Array.from({ length: opts.enrollTokens ?? 0 }, () => admin(dataDir, ['enroll-token']))
  ])
  return {
    proc,
    url: `https://${address}:${port}`,
    fingerprint: String(line.fingerprint),
    dataDir,
    api: `https://${door.host}:${door.port}`,
    token: token ?? '',
    enrollToken: async () => made.pop() ?? await admin(dataDir, ['enroll-token'])
  }
}

/** What `startNetnsAgent` needs to know about an agent. */
export interface NetnsAgentOptions {
  readonly ns: string
  /** For messages and logs. */
  readonly name: string
  /** `--upstream` entries, best first; none: direct to the hub. */
  readonly upstreams?: readonly string[]
  /** `ADDR` or `ADDR:PORT` to relay on (port 0 or none: any free port, kept across restarts). */
  readonly relayListen?: string
}

/** An `outpost agent` process in a namespace that the test may SIGKILL and start again. */
export interface NetnsAgent {
  readonly name: string
  readonly ns: string
  readonly stateDir: string
  readonly agentId: string
  /** `relay://ADDR:PORT` when it relays. */
  readonly relayUrl: string | undefined
  /** The running process (the latest one after a restart). */
  readonly proc: OutpostProcess
  /** Every process this agent ran as, oldest first (their logs stay readable). */
  readonly runs: readonly OutpostProcess[]
  /** SIGKILL (no flush, no goodbye); resolves with the time of the kill, once it is gone. */
  kill (): Promise<number>
  /** Starts it again with the same state, upstreams and relay address; resolves once it runs. */
  restart (): Promise<void>
  /** SIGTERM: a graceful stop that flushes the spool; fails with its last output unless it exits 0. */
  stop (): Promise<void>
}

/**
 * Enrolls (through its upstreams) and starts an agent reporting every 2 s; a relay logs at debug
 * level so that each relayed connection shows in its log. Resolves once it runs (and relays).
 */
export async function startNetnsAgent (t: T, lab: NetnsLab, hub: NetnsHub, opts: NetnsAgentOptions): Promise<NetnsAgent> {
  const dir = tempDir(t, `outpost-netns-${opts.name}-`)
  const stateDir = path.join(dir, 'state')
  const policy = path.join(dir, 'policy.json')
  fs.writeFileSync(policy, '{}', { mode: 0o600 })
  let relayListen = opts.relayListen === undefined || opts.relayListen.includes(':') ? opts.relayListen : `${opts.relayListen}:0`
  const args = (): string[] => [
    'agent', '--state', stateDir, '--interval', '2s', '--policy', policy, '--log-level', relayListen === undefined ? 'info' : 'debug',
    ...(opts.upstreams === undefined ? [] : ['--upstream', opts.upstreams.join(',')]),
    ...(relayListen === undefined ? [] : ['--relay-listen', relayListen])
  ]
  const runs: OutpostProcess[] = []
  const launch = async (extra: readonly string[]): Promise<Record<string, unknown>> => {
    const proc = lab.startOutpost(opts.ns, [...args(), ...extra])
    runs.push(proc)
    const starting = await proc.waitForLog((l) => l.msg === 'agent starting', 30_000)
    if (relayListen !== undefined) {
      const listening = await proc.waitForLog((l) => l.msg === 'relay listening', 20_000)
      relayListen = `${String(listening.host)}:${String(listening.port)}`
    }
    return starting
  }
  const starting = await launch(['--enroll', await hub.enrollToken()])
  const current = (): OutpostProcess => runs[runs.length - 1]!
  const agent: NetnsAgent = {
    name: opts.name,
    ns: opts.ns,
    stateDir,
    agentId: String(starting.agentId),
    relayUrl: relayListen === undefined ? undefined : `relay://${relayListen}`,
    get proc () { return current() },
    runs,
    async kill () {
      const p = current()
      const at = Date.now()
      p.child.kill('SIGKILL')
      await p.stop(1_000)
      return at
    },
    async restart () {
      assert.ok(current().child.exitCode !== null || current().child.signalCode !== null, `${opts.name} is still running`)
      await launch([])
    },
    async stop () {
      const p = current()
      const startedAt = Date.now()
      const code = await p.stop(15_000)
      const { stdout, stderr } = p.output()
      assert.equal(code, 0, `${opts.name} did not stop cleanly (exit ${code}, after ${seconds(Date.now() - startedAt)} s)\nstderr: ${stderr.slice(-1500)}\nstdout: ${stdout.slice(-3000)}`)
    }
  }
  return agent
}

/** Every log line of every run of these agents for which `match` is true. */
export function logsOf (agents: readonly NetnsAgent[], match: (l: Record<string, unknown>) => boolean): Array<Record<string, unknown> & { agent: string }> {
  return agents.flatMap((a) => a.runs.flatMap((p) => p.logs.filter(match).map((l) => ({ ...l, agent: a.name }))))
}

/** When `agent`'s upstream list switched to entry `index` after `since` (from its log), or undefined. */
export function switchedAt (agent: NetnsAgent, index: number, since: number): number | undefined {
  const hit = agent.proc.logs.find((l) => String(l.msg).startsWith('upstream now') && l.index === index && Number(l.time) > since)
  return hit === undefined ? undefined : Number(hit.time)
}

/** Whether `relay` logged relaying a connection of `from` after `since`. */
export function relayedFor (relay: NetnsAgent, from: NetnsAgent, since: number): boolean {
  return logsOf([relay], (l) => l.msg === 'relaying' && l.agentId === from.agentId && Number(l.time) > since).length > 0
}

/** Creates a command on a host through the operator API and waits for its final status. */
export async function command (hub: NetnsHub, hostId: string, body: Record<string, unknown>): Promise<{ status: string, stdout: string, exitCode: number | null, error: { code: string } | null }> {
  const created = await api(hub.api, hub.token, `/hosts/${hostId}/commands`, { method: 'POST', body })
  assert.equal(created.status, 201, created.text)
  const done = await api(hub.api, hub.token, `/commands/${created.json.id as string}?wait=30000`)
  assert.equal(done.status, 200, done.text)
  return done.json
}

/** The time of the newest report the hub stored for the host (the agent's clock), or null before any. */
export async function newestReport (hub: NetnsHub, hostId: string): Promise<number | null> {
  const r = await api(hub.api, hub.token, `/hosts/${hostId}`)
  assert.equal(r.status, 200, r.text)
  return r.json.metricsAt === null ? null : Date.parse(r.json.metricsAt)
}

/**
 * Waits (bounded) until the hub stored a report that the host made after `since`; returns that
 * report's time. (`lastSeen` would not do: a reconnect or a poll also moves it.)
 */
export async function reportAfter (hub: NetnsHub, hostId: string, since: number, what: string, limitMs = 30_000): Promise<number> {
  const end = Date.now() + limitMs
  for (;;) {
    const newest = await newestReport(hub, hostId)
    if (newest !== null && newest > since) return newest
    if (Date.now() > end) assert.fail(`no report from ${what} made after ${new Date(since).toISOString()} arrived within ${seconds(limitMs)} s (newest ${newest === null ? 'none' : new Date(newest).toISOString()})`)
    await sleep(100)
  }
}

/** Polls `cond` until it holds (bounded: a hang fails the test rather than timing it). */
export async function until (cond: () => boolean | Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`gave up waiting for ${what} (${seconds(limitMs)} s)`)
    await sleep(100)
  }
}

/** The last seq a stopped agent's spool handed out, and how many messages it still holds. */
export function spoolOf (agent: NetnsAgent): { lastSeq: number, pending: number } {
  assert.ok(agent.proc.child.exitCode !== null || agent.proc.child.signalCode !== null, `stop ${agent.name} before opening its spool`)
  const spool = new DiskSpool(path.join(agent.stateDir, 'spool'), { maxAgeMs: DEFAULT_SPOOL_MAX_AGE_MS, maxBytes: DEFAULT_SPOOL_MAX_BYTES })
  try {
    return { lastSeq: spool.lastSeq, pending: spool.size }
  } finally {
    spool.close()
  }
}

function openStopped (hub: NetnsHub): DatabaseSync {
  assert.ok(hub.proc.child.exitCode !== null || hub.proc.child.signalCode !== null, 'stop the hub before reading its database')
  return new DatabaseSync(path.join(hub.dataDir, 'outpost.sqlite'), { readOnly: true })
}

/** From the stopped hub's database: when the hub received the agent's first report after `since`. */
export function firstReportReceivedAfter (hub: NetnsHub, agent: NetnsAgent, since: number): number | undefined {
  const db = openStopped(hub)
  try {
    // A report is the receipt with a metrics row (results have none).
    const row = db.prepare(`select min(r.received_at) as at from receipts r join metric_samples m on m.agent_id = r.agent_id and m.seq = r.seq
      where r.agent_id = ? and r.received_at > ?`).get(agent.agentId, since)
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at)
  } finally {
    db.close()
  }
}

/**
 * After the agents and the hub stopped: every message each agent numbered (1..lastSeq, reports
 * and results) is in the hub's receipts, once; each report's metrics row is there once too.
 * Returns a line that says so, for the test's diagnostics.
 */
export function assertDeliveredOnce (hub: NetnsHub, agents: readonly NetnsAgent[]): string {
  const db = openStopped(hub)
  const counts: string[] = []
  try {
    for (const a of agents) {
      const { lastSeq: last, pending } = spoolOf(a)
      assert.equal(pending, 0, `${a.name} still holds ${pending} unsent message(s)`)
      assert.ok(last > 0, `${a.name} sent nothing`)
      const seqs = db.prepare('select seq from receipts where agent_id = ? order by seq').all(a.agentId).map((r) => Number(r.seq))
      const expected = Array.from({ length: last }, (_, i) => i + 1)
      const missing = expected.filter((s) => !seqs.includes(s))
      assert.deepEqual(missing, [], `${a.name}: seqs the agent made but the hub never stored (of 1..${last})`)
      assert.deepEqual(seqs, expected, `${a.name}: the hub stored exactly seqs 1..${last}`)
      const samples = db.prepare('select seq, count(*) as n from metric_samples where agent_id = ? group by seq having n > 1').all(a.agentId)
      assert.deepEqual(samples, [], `${a.name}: a report's metrics stored twice`)
      counts.push(`${a.name} 1..${last}`)
    }
  } finally {
    db.close()
  }
  return `stored exactly once: ${counts.join(', ')}`
}

/** Elapsed time per stage of a test, printed as one diagnostic at the end (where the time goes). */
export function stages (t: T & { diagnostic: (s: string) => void }): (name: string) => void {
  let last = Date.now()
  const marks: string[] = []
  t.after(() => t.diagnostic(`stages: ${marks.join(', ')}`))
  return (name) => {
    const now = Date.now()
    marks.push(`${name} ${seconds(now - last)} s`)
    last = now
  }
}
