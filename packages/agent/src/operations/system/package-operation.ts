import type { PackageBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import type { OperationContext, OperationResult } from '../operation.ts'

/** Runs one package operation. (Stub: replaced by the package implementation.) */
export async function runPackageOperation (_body: PackageBody, _ctx: OperationContext): Promise<OperationResult> {
  throw new AgentError(AgentErrorCode.State, 'package operations are not built yet')
}
