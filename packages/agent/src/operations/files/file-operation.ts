import type { FileDownloadBody, FileListBody, FileReadBody, FileStatBody, FileUploadBody, FileWriteBody } from '@outpost/protocol'
import { checkOperationClass } from '../../policy/operation-policy.ts'
import { OperationClass } from '../../policy/policy-schema.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { listDirectory } from './file-list.ts'
import { statPath } from './file-stat.ts'
import { readWholeFile } from './file-read.ts'
import { writeWholeFile } from './file-write.ts'
import { downloadFile } from './file-download.ts'
import { uploadFile } from './file-upload.ts'

export type FileBody = FileListBody | FileStatBody | FileReadBody | FileWriteBody | FileDownloadBody | FileUploadBody

/**
 * Runs one file operation: the operation class first (`files.read` for list, stat, read and
 * download; `files.write` for write and upload), then each handler checks its paths with the
 * guard, so that a protected path is refused whatever the operation.
 */
export async function runFileOperation (body: FileBody, ctx: OperationContext): Promise<OperationResult> {
  const writes = body.type === 'file-write' || body.type === 'file-upload'
  const denial = checkOperationClass(ctx.policy, writes ? OperationClass.FilesWrite : OperationClass.FilesRead)
  if (denial !== undefined) return { denied: denial }
  switch (body.type) {
    case 'file-list': return await listDirectory(body, ctx)
    case 'file-stat': return await statPath(body, ctx)
    case 'file-read': return await readWholeFile(body, ctx)
    case 'file-write': return await writeWholeFile(body, ctx)
    case 'file-download': return await downloadFile(body, ctx)
    case 'file-upload': return await uploadFile(body, ctx)
  }
}
