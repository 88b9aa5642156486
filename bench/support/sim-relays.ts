// Real `outpost agent` processes for the relay benchmark: relays (--relay-listen) and leaf
// agents, each enrolled with its own token (through its upstream list when it has one).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import https from 'node:https'
import { startOutpost, type OutpostProcess } from '@outpost/testkit'
import { post } from './bench-post.ts'

/** A running real agent: its process, id, state dir and, for a relay, its `relay://` URL. */
export interface RealAgent {
  readonly proc: OutpostProcess
  readonly agentId: string
  readonly stateDir: string
  readonly relayUrl: string | undefined
}

/** What to start. `stateDir` given: restart that identity (no enrollment). */
export interface RealAgentOptions {
  readonly token?: string
  readonly stateDir?: string
  readonly upstreams?: readonly string[]
  /** Relay on 127.0.0.1 at this port (0: any free one). */
  readonly relayPort?: number
}

/** Starts `outpost agent …` and waits (bounded) until its WebSocket to the hub is up. */
export async function startRealAgent (o: RealAgentOptions): Promise<RealAgent> {
  const stateDir = o.stateDir ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-bench-relay-')), 'state')
  const args = ['agent', '--state', stateDir, '--interval', '30s', '--log-level', 'info']
  if (o.stateDir === undefined) {
    if (o.token === undefined) throw new Error('a new agent needs a token')
    args.push('--enroll', o.token)
  }
  if (o.upstreams !== undefined && o.upstreams.length > 0) args.push('--upstream', o.upstreams.join(','))
  if (o.relayPort !== undefined) args.push('--relay-listen', `127.0.0.1:${o.relayPort}`)
  const proc = startOutpost(args)
  const started = await proc.waitForLog((l) => l.msg === 'agent starting', 60_000)
  let relayUrl: string | undefined
  if (o.relayPort !== undefined) {
    const listening = await proc.waitForLog((l) => l.msg === 'relay listening', 30_000)
    relayUrl = `relay://127.0.0.1:${String(listening.port)}`
  }
  await proc.waitForLog((l) => l.msg === 'transport connect' && l.transport === 'ws', 30_000)
  return { proc, agentId: String(started.agentId), stateDir, relayUrl }
}

/** Stops a real agent (SIGTERM) and removes its state unless `keep`. */
export async function stopRealAgent (a: RealAgent, keep = false): Promise<void> {
  await a.proc.stop(5_000)
  if (!keep) fs.rmSync(path.dirname(a.stateDir), { recursive: true, force: true })
}

/** An operator client of the hub's API over one keep-alive connection pool. */
export class Operator {
  readonly #hubUrl: string
  readonly #token: string
  readonly #agent = new https.Agent({ keepAlive: true, maxSockets: 4, rejectUnauthorized: false })

  constructor (hubUrl: string, token: string) {
    this.#hubUrl = hubUrl
    this.#token = token
  }

  /**
   * Queues an instruction on the host and waits for its stored result; resolves with the final
   * status. `true`: an exec of `true` (a process spawn on the agent); `stat`: a `file-stat` of
   * /tmp (no process: the path alone).
   */
  async roundTrip (agentId: string, what: 'true' | 'stat'): Promise<string> {
    const headers = { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' }
    const body = what === 'true' ? { type: 'exec', argv: ['true'] } : { type: 'file-stat', path: '/tmp' }
    const created = await post(new URL(`/api/v1/hosts/${agentId}/commands`, this.#hubUrl), this.#agent, headers, JSON.stringify(body))
    if (created.status !== 201) throw new Error(`queueing failed: ${created.status} ${created.text}`)
    const id = (JSON.parse(created.text) as { id: string }).id
    const done = await this.#get(`/api/v1/commands/${id}?wait=15000`)
    return (JSON.parse(done) as { status: string }).status
  }

  #get (p: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(p, this.#hubUrl), { agent: this.#agent, headers: { authorization: `Bearer ${this.#token}` } }, (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (c: string) => { text += c }).on('end', () => {
          if (res.statusCode === 200) resolve(text)
          else reject(new Error(`GET ${p}: ${res.statusCode ?? 0} ${text}`))
        }).on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
  }

  close (): void {
    this.#agent.destroy()
  }
}
