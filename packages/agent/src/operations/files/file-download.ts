import { createHash } from 'node:crypto'
import { pipeline } from 'node:stream/promises'
import type { FileDownloadBody, FileTransferResult } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import type { HubLink } from '../../transport/hub-link.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { openGuardedFile } from './file-guard.ts'
import { fileError, jsonOutput } from './file-facts.ts'
import { requireSuccess, responseOf, transferRequest } from './transfer-request.ts'

/** Read size of a streamed file: large reads keep the per-chunk cost (hash, TLS write) small. */
export const TRANSFER_CHUNK_BYTES = 1024 * 1024

/** The side channel to the hub, or a failure saying there is none. */
export function requireLink (ctx: OperationContext): HubLink {
  if (ctx.link === undefined) throw new AgentError(AgentErrorCode.OperationFailed, 'this agent has no direct hub link for file transfers')
  return ctx.link
}

/** Streams a regular file to the hub (`PUT /agent/v1/transfers/{id}`), hashing it on the way. */
export async function downloadFile (body: FileDownloadBody, ctx: OperationContext): Promise<OperationResult> {
  const link = requireLink(ctx)
  const opened = await openGuardedFile(ctx.guard, body.path)
  if ('denied' in opened) return opened
  const h = opened.handle
  try {
    const size = opened.stat.size
    const hash = createHash('sha256')
    let sent = 0
    const req = transferRequest(link, 'PUT', body.transferId, { contentLength: size, signal: ctx.signal })
    const answer = responseOf(req)
    // Observed, so that a refusal arriving while the body is still being sent is not unhandled.
    answer.catch(() => undefined)
    try {
      if (size === 0) {
        req.end()
      } else {
        const source = h.createReadStream({ start: 0, end: size - 1, highWaterMark: TRANSFER_CHUNK_BYTES, autoClose: false })
        await pipeline(source, async function * (src: AsyncIterable<Buffer>) {
          for await (const chunk of src) {
            hash.update(chunk)
            sent += chunk.length
            yield chunk
          }
        }, req)
      }
    } catch (err) {
      // A hub that refused early closes the stream: its answer says more than the broken pipe.
      const res = await Promise.race([answer, new Promise<undefined>((resolve) => setTimeout(resolve, 1000, undefined))]).catch(() => undefined)
      if (res !== undefined) await requireSuccess(res, `the download of ${body.path}`)
      throw err
    }
    await requireSuccess(await answer, `the download of ${body.path}`)
    if (sent !== size) throw new AgentError(AgentErrorCode.OperationFailed, `${body.path} changed size while being sent (${sent} of ${size} bytes)`)
    const out: FileTransferResult = { path: body.path, size: sent, sha256: hash.digest('hex') }
    ctx.logger?.info({ audit: 'file-download', instructionId: ctx.instruction.id, issuer: ctx.instruction.issuer, ...out }, 'file sent to the hub')
    return jsonOutput(out)
  } catch (err) {
    throw fileError(err, body.path)
  } finally {
    await h.close()
  }
}
