import { isValid, UnitName, type ServiceBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import { checkOperationClass } from '../../policy/operation-policy.ts'
import { OperationClass } from '../../policy/policy-schema.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { isMissingTool, runTool, type ToolOutcome } from './run-tool.ts'
import {
  SHOW_PROPERTIES, journalLines, mergeServiceList, parseListUnits, parseShow, parseUnitFiles, saysNoSystemd, serviceStatus, unitFilesOnly
} from './systemd-text.ts'

/** Journal lines `status` and `journal` show when the instruction does not say. */
export const DEFAULT_JOURNAL_LINES = 20
/** Reading state (list, show, journal) is quick; anything longer is a hung bus. */
const READ_TIMEOUT_MS = 60_000
/** systemctl waits for the start/stop job; units may take minutes (TimeoutStopSec defaults to 90 s). */
const ACTION_TIMEOUT_MS = 5 * 60_000

/**
 * Runs one `service` operation with systemctl/journalctl. The unit name is checked here again
 * (the hub's schema already did) and always follows `--`, so it can never be read as an option.
 * Without a running systemd the answer is `AGENT_ERR_SERVICE_MANAGER`, except for `list`, which
 * then reads the installed unit files and reports their state as `unknown`.
 */
export async function runServiceOperation (body: ServiceBody, ctx: OperationContext): Promise<OperationResult> {
  const denied = checkOperationClass(ctx.policy, OperationClass.Service)
  if (denied !== undefined) return { denied }
  if (body.action === 'list') return await listServices(ctx)
  const name = body.name
  if (name === undefined || !isValid(UnitName, name)) throw new AgentError(AgentErrorCode.OperationFailed, `service ${body.action} needs a valid unit name`)
  const lines = body.lines ?? DEFAULT_JOURNAL_LINES
  if (body.action === 'journal') return asCompleted(await journal(name, lines, ctx))
  if (body.action === 'status') {
    const show = await systemctl(['show', ...SHOW_PROPERTIES.map((p) => `--property=${p}`), '--', name], READ_TIMEOUT_MS, ctx)
    if (show.exitCode !== 0) throw new AgentError(AgentErrorCode.OperationFailed, `systemctl show ${name} failed: ${(show.stderr || show.stdout).trim()}`)
    const j = await journal(name, lines, ctx)
    const journalText = j.exitCode === 0 ? j.stdout : j.stdout + j.stderr
    const status = serviceStatus(parseShow(show.stdout), name, journalLines(journalText))
    return { outcome: 'completed', exitCode: 0, stdout: JSON.stringify(status), stderr: '', truncated: show.truncated || j.truncated, durationMs: show.durationMs + j.durationMs }
  }
  const o = await systemctl([body.action, '--', name], ACTION_TIMEOUT_MS, ctx)
  ctx.logger?.info({ audit: 'service', instructionId: ctx.instruction.id, issuer: ctx.instruction.issuer, action: body.action, unit: name, exitCode: o.exitCode }, `systemctl ${body.action} ${name}`)
  return asCompleted(o)
}

async function listServices (ctx: OperationContext): Promise<OperationResult> {
  const files = await systemctl(['list-unit-files', '--type=service', '--no-legend', '--plain', '--no-pager'], READ_TIMEOUT_MS, ctx, true)
  if (files.exitCode !== 0) throw new AgentError(AgentErrorCode.OperationFailed, `systemctl list-unit-files failed: ${(files.stderr || files.stdout).trim()}`)
  const states = parseUnitFiles(files.stdout)
  const units = await systemctl(['list-units', '--type=service', '--all', '--no-legend', '--plain', '--no-pager'], READ_TIMEOUT_MS, ctx, true)
  const noSystemd = saysNoSystemd(units.stdout + units.stderr)
  if (units.exitCode !== 0 && !noSystemd) throw new AgentError(AgentErrorCode.OperationFailed, `systemctl list-units failed: ${(units.stderr || units.stdout).trim()}`)
  const list = noSystemd ? unitFilesOnly(states) : mergeServiceList(parseListUnits(units.stdout), states)
  return {
    outcome: 'completed',
    exitCode: 0,
    stdout: JSON.stringify(list),
    // Said once on stderr, so a reader of the raw result knows why every state is unknown.
    stderr: noSystemd ? `systemd is not running here; states are unknown: ${units.stderr.trim()}\n` : '',
    truncated: files.truncated || units.truncated,
    durationMs: files.durationMs + units.durationMs
  }
}

/**
 * Runs systemctl; a missing systemctl, or one that says there is no systemd to talk to, is
 * `AGENT_ERR_SERVICE_MANAGER` (unless `tolerateNoSystemd`: the caller handles that itself).
 */
async function systemctl (args: readonly string[], timeoutMs: number, ctx: OperationContext, tolerateNoSystemd = false): Promise<ToolOutcome> {
  let o: ToolOutcome
  try {
    o = await runTool({ argv: ['systemctl', ...args], timeoutMs, signal: ctx.signal })
  } catch (err) {
    if (isMissingTool(err)) throw new AgentError(AgentErrorCode.ServiceManager, 'systemctl is not installed: this host has no systemd to manage services with', { cause: err })
    throw err
  }
  if (!tolerateNoSystemd && saysNoSystemd(o.stdout + o.stderr)) {
    throw new AgentError(AgentErrorCode.ServiceManager, `systemd is not running on this host, services cannot be managed: ${(o.stderr || o.stdout).trim()}`)
  }
  if (o.timedOut) throw new AgentError(AgentErrorCode.OperationFailed, `systemctl ${args[0] ?? ''} did not finish within ${timeoutMs} ms`)
  return o
}

async function journal (name: string, lines: number, ctx: OperationContext): Promise<ToolOutcome> {
  try {
    // `--unit=NAME` in one argument: the name can never be taken for an option of its own.
    return await runTool({ argv: ['journalctl', `--unit=${name}`, '-n', String(lines), '--no-pager', '-o', 'short-iso'], timeoutMs: READ_TIMEOUT_MS, signal: ctx.signal })
  } catch (err) {
    if (isMissingTool(err)) throw new AgentError(AgentErrorCode.ServiceManager, 'journalctl is not installed: this host has no systemd journal', { cause: err })
    throw err
  }
}

function asCompleted (o: ToolOutcome): OperationResult {
  return { outcome: 'completed', exitCode: o.exitCode, signal: o.signal, stdout: o.stdout, stderr: o.stderr, truncated: o.truncated, durationMs: o.durationMs }
}
