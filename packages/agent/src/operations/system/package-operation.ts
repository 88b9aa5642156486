import { isValid, PackageName, type PackageBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import { checkOperationClass } from '../../policy/operation-policy.ts'
import { OperationClass } from '../../policy/policy-schema.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { outputStreamFor } from '../output-stream.ts'
import { actionArgvs, findPackageManager, listArgv, parseList } from './package-manager.ts'
import { isMissingTool, runTool, type ToolOutcome } from './run-tool.ts'

/** Listing reads a local database; anything slower is stuck on a lock. */
const LIST_TIMEOUT_MS = 2 * 60_000
/** One step of an install or upgrade (downloads, dpkg, triggers) may take this long. */
const STEP_TIMEOUT_MS = 30 * 60_000

/**
 * Runs one `package` operation with apt (dpkg) or dnf (rpm), non-interactively. `list` answers
 * `PackageList` JSON; the other actions run their commands one after another (see
 * `actionArgvs`), streaming the output live to the hub while they run. The exit code is the
 * last command's; a failed `apt-get update` is shown but does not stop the install (the lists
 * may still be fresh enough, and apt says so itself when they are not).
 */
export async function runPackageOperation (body: PackageBody, ctx: OperationContext): Promise<OperationResult> {
  const denied = checkOperationClass(ctx.policy, OperationClass.Package)
  if (denied !== undefined) return { denied }
  const kind = findPackageManager()
  if (kind === undefined) throw new AgentError(AgentErrorCode.PackageManager, 'no package manager found: neither apt-get with dpkg-query nor dnf with rpm is in the agent\'s PATH')
  if (body.action === 'list') {
    const o = await tool(listArgv(kind), LIST_TIMEOUT_MS, ctx)
    if (o.exitCode !== 0) throw new AgentError(AgentErrorCode.OperationFailed, `listing packages failed (exit ${String(o.exitCode)}): ${o.stderr.trim()}`)
    return { outcome: 'completed', exitCode: 0, stdout: JSON.stringify(parseList(kind, o.stdout)), stderr: '', truncated: o.truncated, durationMs: o.durationMs }
  }
  const bad = body.names.find((n) => !isValid(PackageName, n))
  if (bad !== undefined) throw new AgentError(AgentErrorCode.OperationFailed, `invalid package name ${JSON.stringify(bad)}`)
  if (body.names.length === 0 && body.action !== 'upgrade') throw new AgentError(AgentErrorCode.OperationFailed, `package ${body.action} needs at least one package name`)

  const stream = outputStreamFor(ctx.link, ctx.instruction.id, ctx.logger)
  const out = { stdout: '', stderr: '' }
  let last: ToolOutcome | undefined
  let truncated = false
  let durationMs = 0
  try {
    for (const argv of actionArgvs(kind, body.action, body.names)) {
      const header = `$ ${argv.join(' ')}\n`
      out.stdout += header
      stream?.write('stdout', Buffer.from(header))
      last = await tool(argv, STEP_TIMEOUT_MS, ctx, (s, data) => stream?.write(s, data))
      out.stdout += last.stdout
      out.stderr += last.stderr
      truncated ||= last.truncated
      durationMs += last.durationMs
      if (last.timedOut) throw new AgentError(AgentErrorCode.OperationFailed, `${argv[0]} did not finish within ${STEP_TIMEOUT_MS} ms`)
      if (last.exitCode !== 0 && argv[1] !== 'update') break
    }
  } finally {
    await stream?.close()
    // In `finally`: a step that timed out or could not start is audited too.
    ctx.logger?.info({ audit: 'package', instructionId: ctx.instruction.id, issuer: ctx.instruction.issuer, manager: kind, action: body.action, names: body.names, exitCode: last?.exitCode ?? null }, `package ${body.action}`)
  }
  return { outcome: 'completed', exitCode: last?.exitCode ?? null, signal: last?.signal ?? null, stdout: out.stdout, stderr: out.stderr, truncated, durationMs }
}

async function tool (argv: [string, ...string[]], timeoutMs: number, ctx: OperationContext, onOutput?: (s: 'stdout' | 'stderr', data: Buffer) => void): Promise<ToolOutcome> {
  try {
    return await runTool({ argv, timeoutMs, signal: ctx.signal, ...(onOutput === undefined ? {} : { onOutput }) })
  } catch (err) {
    if (isMissingTool(err)) throw new AgentError(AgentErrorCode.PackageManager, `${argv[0]} is not installed`, { cause: err })
    throw err
  }
}
