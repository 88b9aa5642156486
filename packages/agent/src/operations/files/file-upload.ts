import { createHash } from 'node:crypto'
import type { FileUploadBody, FileWriteResult } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { AtomicFile, planWrite } from './atomic-file.ts'
import { jsonOutput } from './file-facts.ts'
import { requireLink } from './file-download.ts'
import { requireSuccess, responseOf, transferRequest } from './transfer-request.ts'

/**
 * Fetches an upload from the hub (`GET /agent/v1/transfers/{id}`) into a temporary file next to
 * the target while hashing it, and puts it in place only when size and SHA-256 equal the signed
 * instruction's: the hub cannot swap the bytes after the operator sent them.
 */
export async function uploadFile (body: FileUploadBody, ctx: OperationContext): Promise<OperationResult> {
  if (body.size > ctx.policy.maxUploadBytes) {
    return { denied: { rule: 'maxUploadBytes', message: `${body.size} bytes exceed the local policy's maxUploadBytes (${ctx.policy.maxUploadBytes})` } }
  }
  const link = requireLink(ctx)
  const plan = await planWrite(ctx.guard, body.path, { mode: body.mode, backup: body.backup })
  if ('denied' in plan) return plan
  const file = await AtomicFile.create(ctx.guard, plan)
  if ('denied' in file) return file
  let received = 0
  const hash = createHash('sha256')
  try {
    const req = transferRequest(link, 'GET', body.transferId, { signal: ctx.signal })
    req.end()
    const res = await responseOf(req)
    await requireSuccess(res, `the upload to ${body.path}`)
    for await (const chunk of res) {
      received += (chunk as Buffer).length
      if (received > body.size) throw new AgentError(AgentErrorCode.TransferMismatch, `the hub sent more than the ${body.size} bytes signed for ${body.path}`)
      hash.update(chunk as Buffer)
      await file.write(chunk as Buffer)
    }
    if (received !== body.size) throw new AgentError(AgentErrorCode.TransferMismatch, `the hub sent ${received} of the ${body.size} bytes signed for ${body.path}`)
    const sha256 = hash.digest('hex')
    if (sha256 !== body.sha256) throw new AgentError(AgentErrorCode.TransferMismatch, `the bytes for ${body.path} hash to ${sha256}, the instruction signed ${body.sha256}`)
  } catch (err) {
    await file.abort()
    throw err
  }
  const { backupPath } = await file.commit()
  const out: FileWriteResult = { path: body.path, size: received, sha256: body.sha256, backupPath }
  ctx.logger?.info({ audit: 'file-upload', instructionId: ctx.instruction.id, issuer: ctx.instruction.issuer, ...out }, 'file uploaded from the hub')
  return jsonOutput(out)
}
