import type { ServiceBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import type { OperationContext, OperationResult } from '../operation.ts'

/** Runs one service operation. (Stub: replaced by the service implementation.) */
export async function runServiceOperation (_body: ServiceBody, _ctx: OperationContext): Promise<OperationResult> {
  throw new AgentError(AgentErrorCode.State, 'service operations are not built yet')
}
