import type { PowerBody } from '@outpost/protocol'
import { AgentErrorCode } from '../../errors.ts'
import { checkOperationClass } from '../../policy/operation-policy.ts'
import { OperationClass } from '../../policy/policy-schema.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { powerArgv } from './power-argv.ts'
import { runTool } from './run-tool.ts'

/** `shutdown` only schedules (or cancels); it answers at once. */
const SHUTDOWN_TIMEOUT_MS = 60_000

/**
 * Schedules a reboot or power-off, or cancels one, with `shutdown` (see `powerArgv`). The request
 * and its reason are audited before anything runs, so that the line exists even when the host
 * goes down right after. A `shutdown` that fails is `failed` with its own words.
 */
export async function runPowerOperation (body: PowerBody, ctx: OperationContext): Promise<OperationResult> {
  const denied = checkOperationClass(ctx.policy, OperationClass.Power)
  if (denied !== undefined) return { denied }
  const argv = powerArgv(body)
  ctx.logger?.info({ audit: 'power', instructionId: ctx.instruction.id, issuer: ctx.instruction.issuer, action: body.action, delayMinutes: body.delayMinutes, reason: body.reason }, `power ${body.action} requested`)
  const o = await runTool({ argv, timeoutMs: SHUTDOWN_TIMEOUT_MS, signal: ctx.signal })
  const output = { exitCode: o.exitCode, signal: o.signal, stdout: o.stdout, stderr: o.stderr, truncated: o.truncated, durationMs: o.durationMs }
  if (o.exitCode === 0) return { outcome: 'completed', ...output }
  const words = (o.stderr || o.stdout).trim()
  return {
    outcome: 'failed',
    ...output,
    error: { code: AgentErrorCode.OperationFailed, message: `shutdown ${argv.slice(1, 2).join('')} failed (${o.exitCode === null ? `signal ${String(o.signal)}` : `exit ${o.exitCode}`}): ${words === '' ? 'no output' : words}` }
  }
}
