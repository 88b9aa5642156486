import type { SessionOpenBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import type { OperationContext, OperationResult } from '../operation.ts'

/** Runs a live session until it ends. (Stub: replaced by the terminal implementation.) */
export async function runSessionOpen (_body: SessionOpenBody, _ctx: OperationContext): Promise<OperationResult> {
  throw new AgentError(AgentErrorCode.State, 'live sessions are not built yet')
}
