import { OutpostError } from '@outpost/protocol'
import type { HubServices } from '../hub-services.ts'
import { isFinished } from '../commands/command-service.ts'
import type { CommandRecord } from '../store/store.ts'
import { HubError, HubErrorCode } from '../errors.ts'

/** HTTP status of an agent's refusal or failure, by its code; anything else is 422. */
const AGENT_STATUS: Readonly<Record<string, number>> = {
  AGENT_ERR_POLICY_DENIED: 403,
  AGENT_ERR_NO_SUCH_FILE: 404,
  AGENT_ERR_NOT_A_FILE: 400,
  AGENT_ERR_FILE_TOO_LARGE: 413,
  AGENT_ERR_FILE_CHANGED: 409
}

/** The command once it finished, or as it stands after `maxMs` or when `signal` aborts. */
export async function commandEnd (s: HubServices, commandId: string, maxMs: number, signal: AbortSignal): Promise<CommandRecord> {
  const deadline = s.now() + maxMs
  let c = await s.commands.get(commandId)
  while (!isFinished(c, s.now()) && !signal.aborted && s.now() < deadline) {
    c = await s.commands.waitFinished(commandId, deadline - s.now(), signal)
  }
  return c
}

/**
 * The error an operator gets for a command that did not complete: the agent's own code and
 * message, with an HTTP status that fits it (a policy denial is 403); a command that never ran
 * is 503 `HUB_ERR_UNAVAILABLE`.
 */
export function commandError (c: CommandRecord, what: string): OutpostError {
  if (c.error !== null && (c.status === 'failed' || c.status === 'rejected')) {
    return new OutpostError(c.error.code, c.error.message, { statusCode: AGENT_STATUS[c.error.code] ?? 422, details: { commandId: c.id } })
  }
  if (c.status === 'completed') return new HubError(HubErrorCode.Unavailable, `the host completed ${what} without sending it`)
  return new HubError(HubErrorCode.Unavailable, `the host did not carry out ${what} in time (is it online?)`, { details: { commandId: c.id, status: c.status } })
}
