import fs from 'node:fs'
import type { Readable } from 'node:stream'
import type { Logger } from 'pino'
import { BusSubject, type Bus } from '../bus/bus.ts'
import { BusStreamReader, BusStreamWriter, newStreamId } from '../bus/bus-stream.ts'
import type { TransferRegistry } from './transfer-registry.ts'

/** Longest a replica waits for the replica holding a transfer to answer its claim. */
export const CLAIM_TIMEOUT_MS = 5_000
const STREAM_ID = /^[A-Za-z0-9_-]{16,64}$/

/** Another replica's claim, as it travels: the agent it authenticated, and where the bytes go. */
interface Claim { readonly agentId: string, readonly kind: 'download' | 'upload', readonly stream: string, readonly length: number | null }

function asClaim (p: unknown): Claim | undefined {
  const c = p as Partial<Claim> | null
  if (typeof c !== 'object' || c === null || typeof c.agentId !== 'string' || (c.kind !== 'download' && c.kind !== 'upload')) return undefined
  if (typeof c.stream !== 'string' || !STREAM_ID.test(c.stream)) return undefined
  const length = typeof c.length === 'number' && Number.isSafeInteger(c.length) && c.length >= 0 ? c.length : null
  return { agentId: c.agentId, kind: c.kind, stream: c.stream, length }
}

/**
 * Answers, on the replica holding a transfer, a claim made by the replica the agent reached. The
 * same checks as a local claim apply (this agent's, this kind, once, unexpired). A download's bytes
 * then come over a bus stream into the operator's response; an upload's spooled file goes out
 * over one to the agent's replica.
 */
export async function answerClaim (registry: TransferRegistry, bus: Bus, log: Logger, id: string, payload: unknown): Promise<{ granted: boolean, size?: number }> {
  const claim = asClaim(payload)
  if (claim === undefined) return { granted: false }
  const entry = registry.claim(id, claim.agentId, claim.kind)
  if (entry === undefined) return { granted: false }
  if (entry.kind === 'download') {
    const reader = new BusStreamReader(bus, claim.stream)
    entry.deliver({ stream: reader.stream, length: claim.length ?? undefined, finish: (err) => { reader.finish(err) } })
    // The agent's replica listens for credit before it asks: the first credit may go now.
    reader.start()
    return { granted: true }
  }
  const writer = new BusStreamWriter(bus, claim.stream)
  writer.pump(fs.createReadStream(entry.file, { highWaterMark: 1024 * 1024 })).catch((err: unknown) => {
    log.warn({ err, transferId: id }, 'an upload relayed to another replica did not complete')
  })
  return { granted: true, size: entry.size }
}

/**
 * On the replica an agent's download PUT reached, when the transfer is not here: asks the bus
 * for it, and streams the body there. Resolves `false` when no replica holds it for this agent;
 * otherwise once the operator's side took all of it (rejects when it did not).
 */
export async function sendRemoteDownload (bus: Bus, id: string, agentId: string, body: Readable, length: number | undefined): Promise<boolean> {
  const stream = newStreamId()
  const writer = new BusStreamWriter(bus, stream)
  let answer: unknown
  try {
    answer = await bus.request(BusSubject.transferClaim(id), { agentId, kind: 'download', stream, length: length ?? null }, CLAIM_TIMEOUT_MS)
  } catch (err) {
    writer.cancel()
    throw err
  }
  if (!granted(answer)) {
    writer.cancel()
    return false
  }
  await writer.pump(body)
  return true
}

/**
 * On the replica an agent's upload GET reached, when the transfer is not here: the spooled
 * file's size and a stream of its bytes from the replica holding it, or undefined when none does.
 */
export async function fetchRemoteUpload (bus: Bus, id: string, agentId: string): Promise<{ size: number, stream: Readable } | undefined> {
  const stream = newStreamId()
  const reader = new BusStreamReader(bus, stream)
  let answer: unknown
  try {
    answer = await bus.request(BusSubject.transferClaim(id), { agentId, kind: 'upload', stream, length: null }, CLAIM_TIMEOUT_MS)
  } catch (err) {
    reader.finish(err as Error)
    throw err
  }
  const size = (answer as { size?: unknown } | undefined)?.size
  if (!granted(answer) || typeof size !== 'number') {
    reader.finish(new Error('not granted'))
    return undefined
  }
  reader.stream.once('end', () => { reader.finish() })
  reader.start()
  return { size, stream: reader.stream }
}

function granted (answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && (answer as { granted?: unknown }).granted === true
}
