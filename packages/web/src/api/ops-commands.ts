import type { Static, TSchema } from '@sinclair/typebox'
import { CommandOutputChunk, CommandStatus, CreatedCommand, type CommandStatus as CommandStatusType, type CreateCommandRequest } from '@outpost/protocol'
import type { ApiClient } from './api-client.ts'
import { ApiError } from './api-error.ts'
import { checkAnswer, matches } from './check.ts'

const enc = encodeURIComponent
const WAIT_MS = 25_000
/** About ten minutes of long polls: the default time to live of a command. */
const MAX_POLLS = 25
const DONE = new Set(['completed', 'failed', 'rejected', 'expired'])

/** What the console sends to `POST /api/v1/hosts/:id/commands` (transfers and sessions have their own routes). */
export type CommandBody = CreateCommandRequest

/** Queues an instruction for a host; answers its command id. */
export function createCommand (c: ApiClient, hostId: string, body: CommandBody): Promise<{ id: string }> {
  return c.request('POST', `/api/v1/hosts/${enc(hostId)}/commands`, CreatedCommand, body)
}

/** Long-polls a command until it is finished (or the polls run out: then its last state). */
export async function waitCommand (c: ApiClient, id: string, signal?: AbortSignal): Promise<CommandStatusType> {
  let last: CommandStatusType | undefined
  for (let i = 0; i < MAX_POLLS; i++) {
    last = await c.request('GET', `/api/v1/commands/${enc(id)}?wait=${WAIT_MS}`, CommandStatus, undefined, signal === undefined ? {} : { signal })
    if (DONE.has(last.status)) return last
  }
  if (last === undefined) throw new ApiError('WEB_ERR_TIMEOUT', 0, 'the command did not finish')
  return last
}

/**
 * The agent's failure as an `ApiError` with the agent's own code (e.g. `AGENT_ERR_FILE_CHANGED`),
 * or undefined when the command completed with exit code 0 (or no exit code at all).
 */
export function commandFailure (s: CommandStatusType): ApiError | undefined {
  if (s.error !== null) return new ApiError(s.error.code, 0, s.error.message)
  if (s.status === 'expired') return new ApiError('WEB_ERR_EXPIRED', 0, 'the host did not take the command in time (is it offline?)')
  if (s.status !== 'completed') return new ApiError('WEB_ERR_COMMAND', 0, `the command ${s.status}`)
  if (s.exitCode !== null && s.exitCode !== 0) {
    const detail = (s.stderr || s.stdout).trim().split('\n').slice(-3).join(' ')
    return new ApiError('WEB_ERR_EXIT', 0, `exit code ${s.exitCode}${detail === '' ? '' : `: ${detail}`}`)
  }
  return undefined
}

/** Runs one instruction and answers its finished status; throws the agent's error when it failed. */
export async function runCommand (c: ApiClient, hostId: string, body: CommandBody, signal?: AbortSignal): Promise<CommandStatusType> {
  const { id } = await createCommand(c, hostId, body)
  const s = await waitCommand(c, id, signal)
  const failure = commandFailure(s)
  if (failure !== undefined) throw failure
  return s
}

/** Runs an instruction whose `stdout` is JSON of `schema`, and answers that value checked. */
export async function runJson<T extends TSchema> (c: ApiClient, hostId: string, body: CommandBody, schema: T, signal?: AbortSignal): Promise<Static<T>> {
  return parseStdout(schema, await runCommand(c, hostId, body, signal))
}

/** A finished command's `stdout` as JSON of `schema`, checked. */
export function parseStdout<T extends TSchema> (schema: T, s: CommandStatusType): Static<T> {
  let json: unknown
  try {
    json = JSON.parse(s.stdout)
  } catch (cause) {
    throw new ApiError('WEB_ERR_BAD_ANSWER', 0, `the agent's ${s.type} answer is not JSON`, { cause })
  }
  return checkAnswer(schema, json, `${s.type} answer`)
}

/**
 * Follows `GET /api/v1/commands/:id/output` (Server-Sent Events): `chunk` events with output as
 * it happens, then `finished`. Returns the function that stops following.
 */
export function followOutput (id: string, on: { chunk: (c: CommandOutputChunk) => void, finished: () => void }): () => void {
  const source = new EventSource(`/api/v1/commands/${enc(id)}/output`, { withCredentials: true })
  source.addEventListener('chunk', (e) => {
    let data: unknown
    try { data = JSON.parse((e as MessageEvent<string>).data) } catch { return } // a broken chunk is skipped: the result holds everything
    if (matches(CommandOutputChunk, data)) on.chunk(data)
  })
  source.addEventListener('finished', () => { source.close(); on.finished() })
  // The stream is best effort (live view only): on error the final result still shows everything.
  source.addEventListener('error', () => { if (source.readyState === EventSource.CLOSED) on.finished() })
  return () => source.close()
}
