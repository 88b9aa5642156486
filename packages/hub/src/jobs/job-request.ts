import { MAX_FILE_WRITE_BYTES, type CreateJobRequest } from '@outpost/protocol'
import { invalid } from '../http/error-mapping.ts'

/** How long a job stays deliverable after `runAt` when the request does not say. */
export const DEFAULT_JOB_TTL_MS = 24 * 3600_000
/** Longest a job may stay deliverable. */
export const MAX_JOB_TTL_MS = 30 * 24 * 3600_000
/** How far ahead a job may be scheduled. */
export const MAX_JOB_LEAD_MS = 366 * 24 * 3600_000
/**
 * A `runAt` this far in the past is refused as a mistake (a wrong date or time zone); anything
 * closer means "now", which covers a client clock a little behind the hub's.
 */
export const MAX_RUN_AT_PAST_MS = 5 * 60_000
/** Most hosts one job may reach. */
export const MAX_JOB_HOSTS = 10_000

/** When a job runs and until when it may be delivered, checked against `now`. */
export interface JobTiming {
  readonly runAt: number
  readonly expiresAt: number
}

/**
 * Checks what the schema cannot: a target that names something, sensible times and the decoded
 * size of a file. Throws a 400 (`PROTO_ERR_INVALID`-style, see `invalid`) that says what to fix.
 */
export function checkJobRequest (body: CreateJobRequest, now: number): JobTiming {
  const hostIds = body.target.hostIds ?? []
  const groups = body.target.groups ?? []
  if (hostIds.length === 0 && groups.length === 0) throw invalid('the target names no host: give target.hostIds and/or target.groups')
  if (body.name.trim() === '') throw invalid('name is blank')
  const runAt = body.runAt === undefined ? now : time(body.runAt, 'runAt')
  if (runAt < now - MAX_RUN_AT_PAST_MS) throw invalid('runAt is in the past: leave it out to run now')
  if (runAt > now + MAX_JOB_LEAD_MS) throw invalid('runAt is more than a year ahead')
  const expiresAt = body.expiresAt === undefined ? Math.max(runAt, now) + DEFAULT_JOB_TTL_MS : time(body.expiresAt, 'expiresAt')
  if (expiresAt <= Math.max(runAt, now)) throw invalid('expiresAt must be after runAt (and after now)')
  if (expiresAt - runAt > MAX_JOB_TTL_MS) throw invalid('expiresAt is more than 30 days after runAt')
  if (body.action.type === 'file') {
    const b64 = body.action.contentBase64
    if (b64.length % 4 !== 0) throw invalid('action.contentBase64 is not padded base64')
    if (Buffer.byteLength(b64, 'base64') > MAX_FILE_WRITE_BYTES) throw invalid(`the file is larger than ${MAX_FILE_WRITE_BYTES} bytes`)
  }
  return { runAt, expiresAt }
}

function time (text: string, name: string): number {
  const ms = Date.parse(text)
  if (!Number.isFinite(ms)) throw invalid(`${name} is not an ISO 8601 time`)
  return ms
}
