import type { PowerBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import type { OperationContext, OperationResult } from '../operation.ts'

/** Runs one power operation. (Stub: replaced by the power implementation.) */
export async function runPowerOperation (_body: PowerBody, _ctx: OperationContext): Promise<OperationResult> {
  throw new AgentError(AgentErrorCode.State, 'power operations are not built yet')
}
