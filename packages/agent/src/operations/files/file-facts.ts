import type { Stats } from 'node:fs'
import type { FileEntry } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'

/** Permission bits as the protocol writes them (`0644`, `4755`). */
export function modeString (mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0')
}

/** The protocol's file type of an lstat result. */
export function fileType (st: Stats): FileEntry['type'] {
  if (st.isSymbolicLink()) return 'link'
  if (st.isFile()) return 'file'
  if (st.isDirectory()) return 'dir'
  return 'other'
}

/**
 * A file system error as the operator should see it: a stable code for the common cases
 * (missing, wrong kind), `AGENT_ERR_OPERATION_FAILED` with the system's message otherwise.
 */
export function fileError (err: unknown, p: string): AgentError {
  if (err instanceof AgentError) return err
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return new AgentError(AgentErrorCode.NoSuchFile, `no such file or directory: ${p}`, { cause: err })
  if (code === 'EISDIR' || code === 'ENOTDIR') return new AgentError(AgentErrorCode.NotAFile, `${p}: ${code === 'EISDIR' ? 'is a directory' : 'a component is not a directory'}`, { cause: err })
  return new AgentError(AgentErrorCode.OperationFailed, `${p}: ${(err as Error).message}`, { cause: err })
}

/** A completed operation whose stdout is `value` as JSON. */
export function jsonOutput (value: unknown): { outcome: 'completed', exitCode: 0, stdout: string, stderr: string } {
  return { outcome: 'completed', exitCode: 0, stdout: JSON.stringify(value), stderr: '' }
}
