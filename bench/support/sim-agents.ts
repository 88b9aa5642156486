// A fleet of simulated agents spread over child processes (sim-agent-worker.ts), each agent with
// its own enrolled Ed25519 identity and the real transport code (see sim-agent.ts). For load
// benchmarks: thousands of agents, POST and WebSocket, straight to the hub or through relays.
//
//   const fleet = await SimFleet.start(4)
//   await fleet.enroll(tokens, ['relay://127.0.0.1:7443'])          // enrollment tunnels through the list
//   await fleet.run({ upstreams: [...], intervalMs: 30_000, ... }, 10_000)
//   await fleet.waitReporting(1000, 60_000)
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import path from 'node:path'
import { readFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import type { SimAck, SimReply, SimRequest, SimRunOptions, SimStatus } from './sim-protocol.ts'

export type { SimAck, SimRunOptions, SimStatus } from './sim-protocol.ts'

type Cmd = SimRequest extends infer R ? R extends SimRequest ? Omit<R, 'id'> : never : never

class Worker {
  readonly child: ChildProcess
  readonly #pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  #next = 1

  constructor (child: ChildProcess) {
    this.child = child
    child.on('message', (m: SimReply) => {
      const p = this.#pending.get(m.id)
      if (p === undefined) return
      this.#pending.delete(m.id)
      if (m.ok) p.resolve(m.result)
      else p.reject(new Error(`simulated agents (pid ${child.pid ?? '?'}): ${m.error}`))
    })
    child.once('exit', (code, signal) => {
      for (const p of this.#pending.values()) p.reject(new Error(`simulated agent worker exited (${code ?? signal ?? '?'})`))
      this.#pending.clear()
    })
  }

  request<T> (cmd: Cmd): Promise<T> {
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.child.send({ ...cmd, id })
    })
  }
}

/** Simulated agents in `processes` child processes; identities are dealt round-robin. */
export class SimFleet {
  readonly #workers: Worker[]

  private constructor (workers: Worker[]) {
    this.#workers = workers
  }

  static async start (processes: number): Promise<SimFleet> {
    const workers = await Promise.all(Array.from({ length: processes }, async () => {
      const child = fork(path.join(import.meta.dirname, 'sim-agent-worker.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      const [hello] = await once(child, 'message') as [SimReply]
      if (!hello.ok) throw new Error('simulated agent worker did not start')
      return new Worker(child)
    }))
    return new SimFleet(workers)
  }

  /** Process ids of the workers. */
  get pids (): number[] {
    return this.#workers.map((w) => w.child.pid ?? -1)
  }

  /** Enrolls one agent per token (through `upstreams` when given); resolves with their ids. */
  async enroll (tokens: readonly string[], upstreams: readonly string[] = [], prefix = 'sim'): Promise<string[]> {
    const shares = this.#workers.map((_, w) => tokens.filter((_t, i) => i % this.#workers.length === w))
    const ids = await Promise.all(this.#workers.map((w, i) => w.request<string[]>({ cmd: 'enroll', tokens: shares[i]!, upstreams, prefix: `${prefix}-w${i}` })))
    return ids.flat()
  }

  /**
   * Starts the enrolled agents (all, or `agents` of them spread evenly over the workers); each
   * sends its first report within `spreadMs`; with `rampMs` their first dial is spread over that
   * long. Resolves with the ids of the agents started.
   */
  async run (options: SimRunOptions, spreadMs: number, more: { agents?: number, rampMs?: number } = {}): Promise<string[]> {
    const n = this.#workers.length
    const ids = await Promise.all(this.#workers.map((w, i) => {
      const agents = more.agents === undefined ? undefined : Math.floor(more.agents / n) + (i < more.agents % n ? 1 : 0)
      return w.request<string[]>({ cmd: 'start', options, spreadMs, ...(agents === undefined ? {} : { agents }), ...(more.rampMs === undefined ? {} : { rampMs: more.rampMs }) })
    }))
    return ids.flat()
  }

  /** Stops every agent (their connections close); identities stay for the next `run`. */
  async halt (): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.request({ cmd: 'stop' })))
  }

  async status (): Promise<SimStatus> {
    const all = await Promise.all(this.#workers.map((w) => w.request<SimStatus>({ cmd: 'status' })))
    const sum: SimStatus = { agents: 0, reporting: 0, reportsSent: 0, reportsAcked: 0, sendErrors: 0, pollErrors: 0, instructions: 0, errorKinds: {}, ws: 0, upstreams: {} }
    for (const s of all) {
      for (const k of ['agents', 'reporting', 'reportsSent', 'reportsAcked', 'sendErrors', 'pollErrors', 'instructions', 'ws'] as const) sum[k] += s[k]
      for (const [k, n] of Object.entries(s.errorKinds)) sum.errorKinds[k] = (sum.errorKinds[k] ?? 0) + n
      for (const [u, n] of Object.entries(s.upstreams)) sum.upstreams[u] = (sum.upstreams[u] ?? 0) + n
    }
    return sum
  }

  /** Per agent, the first acknowledgement at or after `time` (wall clock ms), or null. */
  async acksAfter (time: number): Promise<Array<SimAck | null>> {
    return (await Promise.all(this.#workers.map((w) => w.request<Array<SimAck | null>>({ cmd: 'acks-after', time })))).flat()
  }

  /** Waits (bounded) until `count` agents have had a report acknowledged. */
  async waitReporting (count: number, limitMs: number): Promise<SimStatus> {
    const end = performance.now() + limitMs
    let s = await this.status()
    while (s.reporting < count && performance.now() < end) {
      await delay(250)
      s = await this.status()
    }
    if (s.reporting < count) throw new Error(`only ${s.reporting} of ${count} simulated agents reported within ${limitMs} ms: ${JSON.stringify(s)}`)
    return s
  }

  /** CPU seconds (user + system) of all workers so far. */
  cpuSeconds (): number {
    let sum = 0
    for (const pid of this.pids) {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      sum += (Number(f[11]) + Number(f[12])) / 100
    }
    return sum
  }

  /** Ends the workers (they stop their agents and remove their state). */
  async close (): Promise<void> {
    await Promise.all(this.#workers.map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return
      const exited = once(w.child, 'exit')
      w.child.disconnect()
      const timer = setTimeout(() => w.child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }))
  }
}
