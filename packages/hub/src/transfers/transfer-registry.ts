import type { Readable } from 'node:stream'
import { randomId } from '@outpost/protocol'
import type { Logger } from 'pino'
import { BusSubject, type Bus } from '../bus/bus.ts'
import { answerClaim } from './transfer-bus.ts'

/** The bytes an agent is sending for a download, handed to the operator's waiting request. */
export interface AgentUpstream {
  readonly stream: Readable
  /** The agent's `content-length`, when it sent one. */
  readonly length: number | undefined
  /** Tells the agent's request how the relay ended (an error: the operator went away). */
  finish (err?: Error): void
}

/** A transfer as the agent endpoints see it. */
export type TransferEntry =
  | { readonly kind: 'download', readonly agentId: string, readonly expiresAt: number, readonly deliver: (u: AgentUpstream) => void }
  | { readonly kind: 'upload', readonly agentId: string, readonly expiresAt: number, readonly file: string, readonly size: number }

/**
 * Transfers waiting for their agent, by id. Each is for one agent, used once and only until it
 * expires. Held in memory where the operator's request waits; while open, a transfer also answers
 * claims on the bus, so that an agent whose request reached another replica is served through it
 * (see `transfer-bus.ts`).
 */
export class TransferRegistry {
  readonly #entries = new Map<string, TransferEntry>()
  readonly #now: () => number
  readonly #relay: { readonly bus: Bus, readonly log: Logger } | undefined

  /** Without `relay`, transfers are served to agents on this replica only (unit tests). */
  constructor (now: () => number, relay?: { readonly bus: Bus, readonly log: Logger }) {
    this.#now = now
    this.#relay = relay
  }

  #serve (id: string): () => void {
    const relay = this.#relay
    if (relay === undefined) return () => {}
    return relay.bus.serve(BusSubject.transferClaim(id), async (p) => await answerClaim(this, relay.bus, relay.log, id, p))
  }

  /** Opens a download: `arrival` resolves when the agent's PUT arrives. `close` forgets it. */
  openDownload (agentId: string, ttlMs: number): { readonly id: string, readonly arrival: Promise<AgentUpstream>, close (): void } {
    const id = randomId(24)
    const arrival = new Promise<AgentUpstream>((resolve) => {
      this.#entries.set(id, { kind: 'download', agentId, expiresAt: this.#now() + ttlMs, deliver: resolve })
    })
    const unserve = this.#serve(id)
    return { id, arrival, close: () => { this.#entries.delete(id); unserve() } }
  }

  /** Offers the spooled upload `file` (`size` bytes) to `agentId`. `close` forgets it. */
  openUpload (agentId: string, file: string, size: number, ttlMs: number): { readonly id: string, close (): void } {
    const id = randomId(24)
    this.#entries.set(id, { kind: 'upload', agentId, expiresAt: this.#now() + ttlMs, file, size })
    const unserve = this.#serve(id)
    return { id, close: () => { this.#entries.delete(id); unserve() } }
  }

  /**
   * Takes the transfer for `agentId`, once. Another agent's attempt, a wrong kind, an unknown,
   * used or expired id all answer undefined; a foreign attempt leaves the transfer to its owner.
   */
  claim (id: string, agentId: string, kind: TransferEntry['kind']): TransferEntry | undefined {
    const e = this.#entries.get(id)
    if (e === undefined || e.agentId !== agentId || e.kind !== kind) return undefined
    this.#entries.delete(id)
    return e.expiresAt > this.#now() ? e : undefined
  }

  /** Transfers waiting (for tests and diagnostics). */
  get size (): number {
    return this.#entries.size
  }
}
