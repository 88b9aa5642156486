import type { ProcessSignalBody } from '@outpost/protocol'
import { MAX_PROCESS_LIST_BYTES } from '@outpost/protocol'
import { listProcesses } from '../collectors/process-list.ts'
import type { UserNames } from '../collectors/user-names.ts'
import { AgentError, AgentErrorCode } from '../errors.ts'
import type { PolicyDenial } from '../policy/exec-policy.ts'

/**
 * The process list as the JSON `stdout` of a `process-list` result, cut at whole entries so that
 * it stays valid JSON within `maxBytes`.
 */
export function processListOutput (procRoot: string, users: UserNames, maxBytes = MAX_PROCESS_LIST_BYTES): { stdout: string, truncated: boolean } {
  const parts: string[] = []
  let bytes = 2
  for (const entry of listProcesses(procRoot, users)) {
    const json = JSON.stringify(entry)
    const add = Buffer.byteLength(json) + (parts.length === 0 ? 0 : 1)
    if (bytes + add > maxBytes) return { stdout: `[${parts.join(',')}]`, truncated: true }
    parts.push(json)
    bytes += add
  }
  return { stdout: `[${parts.join(',')}]`, truncated: false }
}

/** Refuses signals to init and to the agent itself, whatever the policy allows. */
export function checkSignalTarget (body: ProcessSignalBody, selfPid: number): PolicyDenial | undefined {
  if (body.pid <= 1) return { rule: 'process: init', message: `pid ${body.pid} may not be signalled` }
  if (body.pid === selfPid) return { rule: 'process: self', message: `pid ${body.pid} is the agent itself and may not be signalled` }
  return undefined
}

/**
 * Sends the signal. A missing process (ESRCH) or one the agent may not signal (EPERM) throws
 * `AGENT_ERR_NO_SUCH_PROCESS`; any other failure is rethrown as is.
 */
export function sendProcessSignal (body: ProcessSignalBody): void {
  try {
    process.kill(body.pid, body.signal)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code === 'ESRCH') throw new AgentError(AgentErrorCode.NoSuchProcess, `no process has pid ${body.pid} (ESRCH)`, { cause: err })
    if (code === 'EPERM') throw new AgentError(AgentErrorCode.NoSuchProcess, `the agent may not signal pid ${body.pid} (EPERM)`, { cause: err })
    throw err
  }
}
