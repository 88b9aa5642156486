import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { IncomingMessage } from 'node:http'
import { FileWriteResult, parseJson, randomId, type FileTransferQuery } from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import type { AgentRecord } from '../store/store.ts'
import { AuditAction, type Actor } from '../audit/audit-log.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { commandEnd, commandError } from './command-outcome.ts'
import type { TransferRegistry } from './transfer-registry.ts'

/** Chunk size of the spool file's reads and writes. */
const SPOOL_CHUNK_BYTES = 1024 * 1024

/**
 * Serves `PUT /api/v1/hosts/:id/files/upload`: streams the body into a private temporary file
 * under `dataDir/transfers` while hashing it (bounded by `limits.uploadBytes`), queues a signed
 * `file-upload` carrying size and SHA-256, lets the agent fetch the file, and answers with the
 * agent's `FileWriteResult` or its error. The temporary file is removed in every case.
 */
export async function serveUpload (s: HubServices, registry: TransferRegistry, host: AgentRecord, query: FileTransferQuery, actor: Actor, body: IncomingMessage, signal: AbortSignal): Promise<FileWriteResult> {
  const limit = s.config.limits.uploadBytes
  const declared = Number(body.headers['content-length'] ?? NaN)
  if (declared > limit) throw new HubError(HubErrorCode.TooLarge, `uploads are limited to ${limit} bytes`)
  const dir = path.join(s.config.dataDir, 'transfers')
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const file = path.join(dir, `${randomId(16)}.upload`)
  const audit = (result: string, detail: Record<string, unknown>): Promise<void> =>
    s.audit.record({ actor, action: AuditAction.FileUpload, target: `host:${host.id}`, result, detail: { path: query.path, ...detail } })
  let transfer: { close (): void } | undefined
  try {
    const { size, sha256 } = await spool(body, file, limit)
    const t = registry.openUpload(host.id, file, size, s.config.commandTtlMs)
    transfer = t
    const commandId = await s.commands.create({
      agentId: host.id,
      body: { type: 'file-upload', path: query.path, transferId: t.id, size, sha256, ...(query.mode === undefined ? {} : { mode: query.mode }), ...(query.backup === 'false' ? { backup: false } : {}) },
      ttlMs: s.config.commandTtlMs,
      issuer: actor
    })
    const c = await commandEnd(s, commandId, s.config.commandTtlMs, signal)
    if (c.status !== 'completed') {
      const err = commandError(c, 'the upload')
      await audit(err.code, { commandId, size, sha256 })
      throw err
    }
    const result = parseJson(FileWriteResult, c.stdout, 'file write result')
    await audit('ok', { commandId, size, sha256, backupPath: result.backupPath })
    return result
  } finally {
    transfer?.close()
    await fs.promises.rm(file, { force: true })
  }
}

/** Writes the request body to `file` (mode 0600), hashing and counting; 413 past `limit`. */
async function spool (body: IncomingMessage, file: string, limit: number): Promise<{ size: number, sha256: string }> {
  const hash = createHash('sha256')
  let size = 0
  await pipeline(body, async function * (src: AsyncIterable<Buffer>) {
    for await (const chunk of src) {
      size += chunk.length
      if (size > limit) throw new HubError(HubErrorCode.TooLarge, `uploads are limited to ${limit} bytes`)
      hash.update(chunk)
      yield chunk
    }
  }, fs.createWriteStream(file, { flags: 'wx', mode: 0o600, highWaterMark: SPOOL_CHUNK_BYTES }))
  return { size, sha256: hash.digest('hex') }
}
