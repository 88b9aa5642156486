import type { CreateJobRequest, JobSummary } from '@outpost/protocol'
import { splitArgv } from './argv.ts'
import { textToBase64 } from './file-content.ts'

/** The job form as typed. Times are `datetime-local` values (local time, no zone), '' for none. */
export interface JobDraft {
  readonly name: string
  readonly kind: 'exec' | 'file'
  readonly command: string
  readonly filePath: string
  readonly fileText: string
  readonly hostIds: readonly string[]
  readonly groups: readonly string[]
  readonly runAt: string
  readonly expiresAt: string
}

export const EMPTY_JOB: JobDraft = { name: '', kind: 'exec', command: '', filePath: '', fileText: '', hostIds: [], groups: [], runAt: '', expiresAt: '' }

/** The request for a draft, or the reason it cannot be sent (for people). */
export function jobRequest (d: JobDraft): { request: CreateJobRequest } | { problem: string } {
  if (d.name.trim() === '') return { problem: 'Give the job a name.' }
  if (d.hostIds.length === 0 && d.groups.length === 0) return { problem: 'Pick at least one host or group.' }
  let action: CreateJobRequest['action']
  if (d.kind === 'exec') {
    let argv: string[]
    try { argv = splitArgv(d.command) } catch (err) { return { problem: `Command: ${(err as Error).message}` } }
    if (argv.length === 0) return { problem: 'Type the command to run.' }
    action = { type: 'exec', argv }
  } else {
    if (!d.filePath.startsWith('/')) return { problem: 'The file path must be absolute (start with /).' }
    action = { type: 'file', path: d.filePath, contentBase64: textToBase64(d.fileText) }
  }
  const runAt = d.runAt === '' ? undefined : new Date(d.runAt)
  const expiresAt = d.expiresAt === '' ? undefined : new Date(d.expiresAt)
  if (runAt !== undefined && Number.isNaN(runAt.getTime())) return { problem: 'The start time is not a valid time.' }
  if (expiresAt !== undefined && Number.isNaN(expiresAt.getTime())) return { problem: 'The expiry is not a valid time.' }
  if (expiresAt !== undefined && expiresAt.getTime() <= (runAt?.getTime() ?? Date.now())) return { problem: 'The expiry must come after the start.' }
  return {
    request: {
      name: d.name.trim(),
      target: { ...(d.hostIds.length > 0 ? { hostIds: [...d.hostIds] } : {}), ...(d.groups.length > 0 ? { groups: [...d.groups] } : {}) },
      action,
      ...(runAt === undefined ? {} : { runAt: runAt.toISOString() }),
      ...(expiresAt === undefined ? {} : { expiresAt: expiresAt.toISOString() })
    }
  }
}

/** How far a job is, 0–100: hosts that finished in any way over all hosts. */
export function jobProgress (j: JobSummary): number {
  if (j.counts.total === 0) return 100
  return Math.round(((j.counts.total - j.counts.pending) / j.counts.total) * 100)
}
