import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import type { FileWriteBody, FileWriteResult } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import type { PathGuard } from '../../policy/path-guard.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { AtomicFile, planWrite } from './atomic-file.ts'
import { openChecked } from './file-guard.ts'
import { fileError, jsonOutput } from './file-facts.ts'

/** Writes a whole file atomically, refusing it when `expectSha256` no longer matches. */
export async function writeWholeFile (body: FileWriteBody, ctx: OperationContext): Promise<OperationResult> {
  const content = Buffer.from(body.contentBase64, 'base64')
  if (content.length > ctx.policy.maxUploadBytes) {
    return { denied: { rule: 'maxUploadBytes', message: `${content.length} bytes exceed the local policy's maxUploadBytes (${ctx.policy.maxUploadBytes})` } }
  }
  const plan = await planWrite(ctx.guard, body.path, { mode: body.mode, backup: body.backup })
  if ('denied' in plan) return plan
  const file = await AtomicFile.create(ctx.guard, plan)
  if ('denied' in file) return file
  try {
    await file.write(content)
  } catch (err) {
    await file.abort()
    throw fileError(err, body.path)
  }
  const expected = body.expectSha256
  const check = expected === undefined ? undefined : async () => { await checkUnchanged(ctx.guard, body.path, plan.real, expected) }
  const { backupPath } = await file.commit(check)
  const sha256 = createHash('sha256').update(content).digest('hex')
  ctx.logger?.info({ audit: 'file-write', instructionId: ctx.instruction.id, issuer: ctx.instruction.issuer, path: body.path, size: content.length, sha256, backupPath }, 'file written')
  const out: FileWriteResult = { path: body.path, size: content.length, sha256, backupPath }
  return jsonOutput(out)
}

/** Throws `AGENT_ERR_FILE_CHANGED` unless the file's current content hashes to `expected` (`null`: it must not exist). */
async function checkUnchanged (guard: PathGuard, p: string, real: string, expected: string | null): Promise<void> {
  const current = await currentSha256(guard, p, real)
  if (current === expected) return
  throw new AgentError(AgentErrorCode.FileChanged, expected === null
    ? `${p} exists now; it was expected not to`
    : current === null ? `${p} no longer exists` : `${p} changed since it was read (sha256 ${current}, expected ${expected})`,
  { details: { current, expected } })
}

async function currentSha256 (guard: PathGuard, p: string, real: string): Promise<string | null> {
  let opened
  try {
    opened = await openChecked(guard, p, real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  } catch (err) {
    if ((err as { code?: unknown }).code === AgentErrorCode.NoSuchFile) return null
    throw err
  }
  if ('denied' in opened) throw new AgentError(AgentErrorCode.PolicyDenied, opened.denied.message)
  const hash = createHash('sha256')
  try {
    for await (const chunk of opened.handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer)
  } finally {
    await opened.handle.close()
  }
  return hash.digest('hex')
}
