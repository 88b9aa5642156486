import { createHash } from 'node:crypto'
import { MAX_FILE_VIEW_BYTES, type FileContent, type FileReadBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { openGuardedFile } from './file-guard.ts'
import { fileError, jsonOutput, modeString } from './file-facts.ts'

/** A regular file's whole content, up to `MAX_FILE_VIEW_BYTES`. */
export async function readWholeFile (body: FileReadBody, ctx: OperationContext): Promise<OperationResult> {
  const opened = await openGuardedFile(ctx.guard, body.path)
  if ('denied' in opened) return opened
  const { handle: h, stat: st } = opened
  try {
    if (st.size > MAX_FILE_VIEW_BYTES) throw new AgentError(AgentErrorCode.FileTooLarge, `${body.path} has ${st.size} bytes; file-read returns at most ${MAX_FILE_VIEW_BYTES} (download it instead)`)
    // One byte more than allowed: a file growing meanwhile is caught, not cut.
    const buf = Buffer.alloc(MAX_FILE_VIEW_BYTES + 1)
    let n = 0
    for (;;) {
      const { bytesRead } = await h.read(buf, n, buf.length - n, n)
      if (bytesRead === 0) break
      n += bytesRead
      if (n === buf.length) throw new AgentError(AgentErrorCode.FileTooLarge, `${body.path} grew beyond ${MAX_FILE_VIEW_BYTES} bytes while being read`)
    }
    const content = buf.subarray(0, n)
    const out: FileContent = { path: body.path, size: n, sha256: createHash('sha256').update(content).digest('hex'), mode: modeString(st.mode), contentBase64: content.toString('base64') }
    return jsonOutput(out)
  } catch (err) {
    throw fileError(err, body.path)
  } finally {
    await h.close()
  }
}
