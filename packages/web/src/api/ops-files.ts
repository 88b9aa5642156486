import { FileContent, FileListing, FileStat, FileWriteResult, type FileWriteResult as FileWriteResultType } from '@outpost/protocol'
import type { ApiClient } from './api-client.ts'
import { ApiError } from './api-error.ts'
import { checkAnswer, matches } from './check.ts'
import { ErrorEnvelope } from '@outpost/protocol'
import { runJson } from './ops-commands.ts'

const enc = encodeURIComponent

/** File operations on one host: generic commands for small things, streaming routes for bytes. */
export const files = {
  list: (c: ApiClient, hostId: string, path: string, signal?: AbortSignal) => runJson(c, hostId, { type: 'file-list', path }, FileListing, signal),
  stat: (c: ApiClient, hostId: string, path: string, signal?: AbortSignal) => runJson(c, hostId, { type: 'file-stat', path }, FileStat, signal),
  read: (c: ApiClient, hostId: string, path: string, signal?: AbortSignal) => runJson(c, hostId, { type: 'file-read', path }, FileContent, signal),
  /** Writes `contentBase64` only if the file still hashes to `expectSha256` (else `AGENT_ERR_FILE_CHANGED`). */
  write: (c: ApiClient, hostId: string, path: string, contentBase64: string, expectSha256: string | null) =>
    runJson(c, hostId, { type: 'file-write', path, contentBase64, expectSha256 }, FileWriteResult),
  /** The streaming download route; a plain link, so the browser saves the file itself. */
  downloadUrl: (hostId: string, path: string) => `/api/v1/hosts/${enc(hostId)}/files/download?path=${enc(path)}`
}

/**
 * Streams a browser `File` to `PUT /api/v1/hosts/:id/files/upload` as the raw body (no base64, no
 * form encoding), with the CSRF token the API client uses for every state-changing call.
 */
export async function uploadFile (hostId: string, path: string, file: Blob, csrfToken: string): Promise<FileWriteResultType> {
  let res: Response
  try {
    res = await fetch(`/api/v1/hosts/${enc(hostId)}/files/upload?path=${enc(path)}`, {
      method: 'PUT', body: file, credentials: 'same-origin', cache: 'no-store',
      headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrfToken, accept: 'application/json' }
    })
  } catch (cause) {
    throw new ApiError('WEB_ERR_NETWORK', 0, 'the hub cannot be reached', { cause })
  }
  let json: unknown
  try { json = JSON.parse(await res.text()) } catch (cause) {
    throw new ApiError(res.ok ? 'WEB_ERR_BAD_ANSWER' : 'WEB_ERR_HTTP', res.status, `the hub answered ${res.status} without JSON`, { cause })
  }
  if (!res.ok) {
    if (matches(ErrorEnvelope, json)) throw new ApiError(json.error.code, res.status, json.error.message)
    throw new ApiError('WEB_ERR_HTTP', res.status, `the hub answered ${res.status}`)
  }
  return checkAnswer(FileWriteResult, json, 'answer to the upload')
}
