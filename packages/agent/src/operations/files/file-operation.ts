import type { FileDownloadBody, FileListBody, FileReadBody, FileStatBody, FileUploadBody, FileWriteBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import type { OperationContext, OperationResult } from '../operation.ts'

export type FileBody = FileListBody | FileStatBody | FileReadBody | FileWriteBody | FileDownloadBody | FileUploadBody

/** Runs one file operation. (Stub: replaced by the files implementation.) */
export async function runFileOperation (_body: FileBody, _ctx: OperationContext): Promise<OperationResult> {
  throw new AgentError(AgentErrorCode.State, 'file operations are not built yet')
}
