import path from 'node:path'
import type { FastifyReply } from 'fastify'
import { FileTransferResult, isValid, parseJson } from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import type { AgentRecord } from '../store/store.ts'
import { AuditAction, type Actor } from '../audit/audit-log.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { commandEnd, commandError } from './command-outcome.ts'
import type { TransferRegistry } from './transfer-registry.ts'

/** Longest the operator waits for the agent to start sending (it may be on a long poll). */
export const DOWNLOAD_START_TIMEOUT_MS = 60_000
/** Longest the audit waits for the agent's result after the bytes went through. */
const RESULT_WAIT_MS = 30_000

/**
 * Serves `GET /api/v1/hosts/:id/files/download`: queues a `file-download` for the host and
 * relays the agent's PUT into this response as it comes (`reply.send(stream)` pipes with
 * backpressure, so the hub never holds the file). Until the first byte, a refusal or a timeout is
 * the error envelope; later, a broken transfer cuts the response short (the client sees fewer
 * bytes than `content-length`).
 */
export async function serveDownload (s: HubServices, registry: TransferRegistry, host: AgentRecord, filePath: string, actor: Actor, reply: FastifyReply, signal: AbortSignal): Promise<FastifyReply> {
  const t = registry.openDownload(host.id, DOWNLOAD_START_TIMEOUT_MS)
  const audit = (result: string, detail: Record<string, unknown>): Promise<void> =>
    s.audit.record({ actor, action: AuditAction.FileDownload, target: `host:${host.id}`, result, detail: { path: filePath, ...detail } })
  try {
    const commandId = await s.commands.create({ agentId: host.id, body: { type: 'file-download', path: filePath, transferId: t.id }, ttlMs: DOWNLOAD_START_TIMEOUT_MS, issuer: actor })
    const first = await Promise.race([
      t.arrival.then((upstream) => ({ upstream })),
      commandEnd(s, commandId, DOWNLOAD_START_TIMEOUT_MS, signal).then((c) => ({ c }))
    ])
    if ('c' in first) {
      const err = commandError(first.c, 'the download')
      // An agent that got through just now is told at once instead of waiting for nobody.
      void t.arrival.then((late) => { late.stream.resume(); late.finish(err) })
      await audit(err.code, { commandId, size: null, sha256: null })
      throw err
    }
    const { upstream } = first
    reply.raw.once('close', () => {
      // No per-chunk counting: a response that finished carried exactly `content-length` bytes.
      const complete = reply.raw.writableFinished
      upstream.finish(complete ? undefined : new HubError(HubErrorCode.Unavailable, 'the download was not relayed to its end'))
      void auditResult(s, commandId, complete ? upstream.length ?? null : null, audit)
    })
    void reply.header('content-type', 'application/octet-stream')
      .header('content-disposition', contentDisposition(filePath))
      .header('cache-control', 'no-store')
    if (upstream.length !== undefined) void reply.header('content-length', String(upstream.length))
    return await reply.send(upstream.stream)
  } finally {
    t.close()
  }
}

/** Audits a download once the agent's result says what it sent (size and SHA-256). */
async function auditResult (s: HubServices, commandId: string, relayed: number | null, audit: (result: string, detail: Record<string, unknown>) => Promise<void>): Promise<void> {
  try {
    const c = await commandEnd(s, commandId, RESULT_WAIT_MS, s.closing)
    const result = c.status === 'completed' && isValid(FileTransferResult, safeParse(c.stdout)) ? parseJson(FileTransferResult, c.stdout, 'file transfer result') : undefined
    const ok = result !== undefined && relayed !== null && result.size === relayed
    await audit(ok ? 'ok' : c.error?.code ?? (c.status === 'completed' ? 'incomplete' : c.status), { commandId, size: result?.size ?? relayed, sha256: result?.sha256 ?? null, relayed: relayed !== null })
  } catch (err) {
    s.log.error({ err, commandId }, 'could not audit a file download')
  }
}

function safeParse (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined // not a result: audited as failed by the caller
  }
}

/** `attachment` with the file's base name, ASCII-safe plus RFC 5987 for the rest. */
function contentDisposition (p: string): string {
  const name = path.posix.basename(p) || 'download'
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}
