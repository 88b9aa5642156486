import { JobDetail, JobList, type CreateJobRequest } from '@outpost/protocol'
import { UsageError, parseDuration } from '../parse-duration.ts'
import type { CliIo } from '../cli-io.ts'
import type { OperatorClient } from './operator-client.ts'
import { allSucceeded, formatJobDetail, formatJobList } from './job-table.ts'

/** Longest one `GET /jobs/:id?wait=` is held; the CLI asks again until the job ends. */
const WAIT_SLICE_MS = 25_000
/** Largest file `job put` sends (the hub's `file-write` limit). */
const MAX_PUT_BYTES = 1024 * 1024

/** Flags of the job verbs (parsed with the other ctl flags). */
export interface JobFlags {
  readonly json: boolean
  readonly hosts?: string | undefined
  readonly group?: string | undefined
  readonly at?: string | undefined
  readonly expires?: string | undefined
  readonly name?: string | undefined
  readonly wait: boolean
  readonly mode?: string | undefined
  readonly timeout?: string | undefined
}

const USAGE = `usage: outpost ctl job run --hosts ID,ID | --group G [--at TIME] [--expires 24h] [--name N] [--wait] -- PROGRAM [ARG…]
       outpost ctl job put --hosts ID,ID | --group G [--mode 0644] [--at TIME] [--expires 24h] [--name N] [--wait] PATH < FILE
       outpost ctl job ls
       outpost ctl job show ID [--wait]
       outpost ctl job cancel ID`

/**
 * `outpost ctl job run|put|ls|show|cancel`. Resolves with the exit code: with `--wait`, 0 only
 * when every host completed with exit code 0.
 */
export async function jobCommand (args: readonly string[], remoteArgv: readonly string[], flags: JobFlags, client: OperatorClient, io: CliIo): Promise<number> {
  const [verb, arg, extra] = args
  const print = (j: JobDetail): void => { io.stdout.write(flags.json ? JSON.stringify(j, null, 2) + '\n' : formatJobDetail(j)) }
  const finish = async (j: JobDetail): Promise<number> => {
    if (!flags.wait) {
      print(j)
      return 0
    }
    const done = await waitJob(client, j.id)
    print(done)
    return allSucceeded(done) ? 0 : 1
  }
  switch (verb) {
    case 'run': {
      if (arg !== undefined || remoteArgv.length === 0) throw new UsageError(USAGE)
      if (flags.mode !== undefined) throw new UsageError('--mode goes with job put')
      const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout, '--timeout')
      const action = { type: 'exec' as const, argv: [...remoteArgv], ...(timeoutMs === undefined ? {} : { timeoutMs }) }
      return finish(await client.post('/api/v1/jobs', request(flags, action, remoteArgv.join(' ')), JobDetail))
    }
    case 'put': {
      if (arg === undefined || extra !== undefined || remoteArgv.length > 0) throw new UsageError(USAGE)
      if (!arg.startsWith('/')) throw new UsageError(`PATH must be absolute, got "${arg}"`)
      if (flags.mode !== undefined && !/^0?[0-7]{3,4}$/.test(flags.mode)) throw new UsageError(`--mode must be octal like 0644, got "${flags.mode}"`)
      const content = await readAll(io.stdin ?? process.stdin, MAX_PUT_BYTES)
      const action = { type: 'file' as const, path: arg, contentBase64: content.toString('base64'), ...(flags.mode === undefined ? {} : { mode: flags.mode }) }
      return finish(await client.post('/api/v1/jobs', request(flags, action, `put ${arg}`), JobDetail))
    }
    case 'ls': {
      if (arg !== undefined) throw new UsageError(USAGE)
      const jobs = await client.get('/api/v1/jobs', JobList)
      io.stdout.write(flags.json ? JSON.stringify(jobs, null, 2) + '\n' : formatJobList(jobs))
      return 0
    }
    case 'show': {
      if (arg === undefined || extra !== undefined) throw new UsageError(USAGE)
      return finish(await client.get(`/api/v1/jobs/${encodeURIComponent(arg)}`, JobDetail))
    }
    case 'cancel': {
      if (arg === undefined || extra !== undefined) throw new UsageError(USAGE)
      print(await client.post(`/api/v1/jobs/${encodeURIComponent(arg)}/cancel`, {}, JobDetail))
      return 0
    }
    default:
      throw new UsageError(USAGE)
  }
}

/** The create request from the flags: exactly one of --hosts and --group (a comma list each). */
function request (flags: JobFlags, action: CreateJobRequest['action'], defaultName: string): CreateJobRequest {
  const list = (v: string | undefined): string[] => (v ?? '').split(',').map(s => s.trim()).filter(s => s !== '')
  const hostIds = list(flags.hosts)
  const groups = list(flags.group)
  if (hostIds.length === 0 && groups.length === 0) throw new UsageError('a job needs --hosts ID,ID or --group G')
  const now = Date.now()
  const runAt = flags.at === undefined ? undefined : parseTime(flags.at, now)
  const expiresAt = flags.expires === undefined ? undefined : (runAt ?? now) + parseDuration(flags.expires, '--expires')
  return {
    name: flags.name ?? defaultName.slice(0, 200),
    target: { ...(hostIds.length === 0 ? {} : { hostIds }), ...(groups.length === 0 ? {} : { groups }) },
    action,
    ...(runAt === undefined ? {} : { runAt: new Date(runAt).toISOString() }),
    ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString() })
  }
}

/** `--at`: an ISO time (`2026-05-01T03:00:00Z`) or a delay from now (`+10m`). */
function parseTime (text: string, now: number): number {
  if (text.startsWith('+')) return now + parseDuration(text.slice(1), '--at')
  const ms = Date.parse(text)
  if (!Number.isFinite(ms)) throw new UsageError(`--at: "${text}" is neither an ISO time (2026-05-01T03:00:00Z) nor a delay (+10m)`)
  return ms
}

async function waitJob (client: OperatorClient, id: string): Promise<JobDetail> {
  let j = await client.get(`/api/v1/jobs/${encodeURIComponent(id)}?wait=${WAIT_SLICE_MS}`, JobDetail)
  while (j.state === 'scheduled' || j.state === 'running') j = await client.get(`/api/v1/jobs/${encodeURIComponent(id)}?wait=${WAIT_SLICE_MS}`, JobDetail)
  return j
}

async function readAll (input: NodeJS.ReadableStream, max: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of input) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    size += b.length
    if (size > max) throw new UsageError(`the file on stdin is larger than ${max} bytes, the most a job sends`)
    chunks.push(b)
  }
  return Buffer.concat(chunks)
}
