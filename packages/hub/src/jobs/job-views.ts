import { createHash } from 'node:crypto'
import type { InstructionBody, JobAction, JobDetail, JobHost, JobSummary } from '@outpost/protocol'
import type { JobHostCounts, JobHostRecord, JobRecord } from '../store/job-store.ts'

const iso = (ms: number): string => new Date(ms).toISOString()

/** The API's counts from per-state counts: `pending` is everything not finished yet. */
export function jobCounts (c: JobHostCounts): JobSummary['counts'] {
  const pending = c.waiting + c.queued + c.sent
  return {
    total: pending + c.completed + c.failed + c.rejected + c.expired + c.cancelled,
    pending, completed: c.completed, failed: c.failed, rejected: c.rejected, expired: c.expired, cancelled: c.cancelled
  }
}

/** A job as listed: `running` turns `finished` once no host is pending. */
export function jobSummary (j: JobRecord, c: JobHostCounts): JobSummary {
  const counts = jobCounts(c)
  const state = j.state === 'running' && counts.pending === 0 ? 'finished' : j.state
  return {
    id: j.id, name: j.name, createdBy: j.createdBy, createdAt: iso(j.createdAt), runAt: iso(j.runAt), expiresAt: iso(j.expiresAt),
    state, actionType: j.action.type, counts
  }
}

/** One host's part as the API shows it. */
export function jobHost (h: JobHostRecord): JobHost {
  return {
    hostId: h.hostId, hostname: h.hostName, commandId: h.commandId, state: h.state, exitCode: h.exitCode,
    error: h.error === null ? null : { code: h.error.code, message: h.error.message },
    finishedAt: h.finishedAt === null ? null : iso(h.finishedAt)
  }
}

/** Counts taken from the hosts themselves (for a detail, which has them all). */
export function countOf (hosts: readonly JobHostRecord[]): JobHostCounts {
  const c = { waiting: 0, queued: 0, sent: 0, completed: 0, failed: 0, rejected: 0, expired: 0, cancelled: 0 }
  for (const h of hosts) c[h.state]++
  return c
}

/** A job with its action and every host. */
export function jobDetail (j: JobRecord, hosts: readonly JobHostRecord[]): JobDetail {
  return { ...jobSummary(j, countOf(hosts)), action: j.action, hosts: hosts.map(jobHost) }
}

/** The instruction each host of a job gets. */
export function instructionOf (a: JobAction): InstructionBody {
  if (a.type === 'exec') return { type: 'exec', argv: [...a.argv], ...(a.timeoutMs === undefined ? {} : { timeoutMs: a.timeoutMs }) }
  return { type: 'file-write', path: a.path, contentBase64: a.contentBase64, ...(a.mode === undefined ? {} : { mode: a.mode }) }
}

/** What the audit log keeps of an action: a file's size and hash, not its content. */
export function auditedAction (a: JobAction): Record<string, unknown> {
  if (a.type === 'exec') return { type: 'exec', argv: a.argv }
  const bytes = Buffer.from(a.contentBase64, 'base64')
  return { type: 'file', path: a.path, mode: a.mode ?? null, size: bytes.length, sha256: sha256(bytes) }
}

function sha256 (b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}
