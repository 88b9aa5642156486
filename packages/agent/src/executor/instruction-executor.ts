import type { KeyObject } from 'node:crypto'
import type { Logger } from 'pino'
import type { InstructionBody, ResultMessage, SignedInstruction } from '@outpost/protocol'
import { DEFAULT_PROC_ROOT } from '../collectors/proc-files.ts'
import { UserNames } from '../collectors/user-names.ts'
import { AgentErrorCode } from '../errors.ts'
import { runExec } from './exec-runner.ts'
import { outputStreamFor } from '../operations/output-stream.ts'
import { checkExec, type PolicyDenial } from '../policy/exec-policy.ts'
import { checkOperationClass } from '../policy/operation-policy.ts'
import { OperationClass } from '../policy/policy-schema.ts'
import { checkSignalTarget, processListOutput, sendProcessSignal } from './process-ops.ts'
import type { PathGuard } from '../policy/path-guard.ts'
import type { Policy } from '../policy/policy-schema.ts'
import type { SeenLog } from './seen-log.ts'
import { verifyInstruction } from './verify-instruction.ts'
import { runOperation, type OperationBody } from '../operations/run-operation.ts'
import type { HubLink } from '../transport/hub-link.ts'

/** A result before the spool numbers it. */
export type UnsequencedResult = Omit<ResultMessage, 'seq'>

/** A report request an instruction asked for (`report-now` or `report-items`). */
export type ReportRequest = Extract<InstructionBody, { type: 'report-now' | 'report-items' }>

/** What the executor needs. */
export interface ExecutorOptions {
  readonly agentId: string
  readonly hubKey: KeyObject | string
  readonly seen: SeenLog
  readonly now?: () => number
  readonly skewMs?: number
  /** Called for `report-now` / `report-items`; the scheduler collects and spools the report. */
  readonly onReportRequest: (req: ReportRequest) => void | Promise<void>
  /** The local policy and the guard over its protected paths; every exec is checked against them. */
  readonly policy: Policy
  readonly guard: PathGuard
  readonly logger?: Logger
  /** Where `process-list` reads processes; `/proc` by default. */
  readonly procRoot?: string
  /** User names for `process-list`; the system passwd file by default. */
  readonly users?: UserNames
  /** The hub connection for side channels (transfers, live sessions, streamed output), when there is one. */
  readonly link?: HubLink
}

/**
 * Verifies and runs instructions. Nothing runs before every check passed and its id was recorded
 * durably; each refusal becomes a `rejected` result with the matching `AGENT_ERR_INSTRUCTION_*`,
 * or `AGENT_ERR_POLICY_DENIED` when the local policy refuses it (exec rules, operation classes,
 * and never a signal to pid 1 or to the agent itself).
 */
export class InstructionExecutor {
  readonly #opts: ExecutorOptions
  readonly #now: () => number
  /** Ids running in this process: a redelivery of one of them is not answered (its real result follows). */
  readonly #running = new Set<string>()
  readonly #users: UserNames

  constructor (opts: ExecutorOptions) {
    this.#opts = opts
    this.#now = opts.now ?? Date.now
    this.#users = opts.users ?? new UserNames()
  }

  /**
   * Handles one instruction as received. Resolves with the result to spool, or `undefined` when
   * there is nothing to answer (no usable id, or a duplicate delivery of one still running).
   */
  async handle (raw: unknown, signal?: AbortSignal): Promise<UnsequencedResult | undefined> {
    const verdict = verifyInstruction(raw, { agentId: this.#opts.agentId, hubKey: this.#opts.hubKey, seen: this.#opts.seen, now: this.#now(), skewMs: this.#opts.skewMs })
    if (!verdict.ok) {
      if (verdict.id !== undefined && this.#running.has(verdict.id) && verdict.code === AgentErrorCode.InstructionReplayed) {
        this.#opts.logger?.debug({ instructionId: verdict.id }, 'duplicate delivery of a running instruction ignored')
        return undefined
      }
      this.#opts.logger?.warn({ instructionId: verdict.id, code: verdict.code }, `instruction rejected: ${verdict.message}`)
      if (verdict.id === undefined) return undefined
      return this.#result(verdict.id, 'rejected', { error: { code: verdict.code, message: verdict.message } })
    }
    const ins = verdict.instruction
    this.#opts.seen.add(ins.id, ins.expiresAt)
    this.#running.add(ins.id)
    this.#opts.logger?.info({ instructionId: ins.id, issuer: ins.issuer, type: ins.body.type }, 'running instruction')
    try {
      const body = ins.body
      if (body.type === 'exec') {
        const denial = await checkExec(this.#opts.policy, this.#opts.guard, body)
        if (denial !== undefined) return this.#deny(ins, denial)
        try {
          // Live output for the console; lazy: a command done within one flush interval posts nothing.
          const live = outputStreamFor(this.#opts.link, ins.id, this.#opts.logger, { lazy: true })
          const o = await runExec(body, { ...(signal === undefined ? {} : { signal }), ...(live === undefined ? {} : { onOutput: (s, d) => { live.write(s, d) } }) })
            .finally(() => live?.close())
          return this.#result(ins.id, 'completed', {
            exitCode: o.exitCode, signal: o.signal, stdout: o.stdout, stderr: o.stderr, truncated: o.truncated, durationMs: o.durationMs
          })
        } catch (err) {
          return this.#failed(ins.id, err, AgentErrorCode.ExecFailed)
        }
      }
      if (body.type === 'process-list' || body.type === 'process-signal') {
        const denial = checkOperationClass(this.#opts.policy, OperationClass.Process) ??
          (body.type === 'process-signal' ? checkSignalTarget(body, process.pid) : undefined)
        if (denial !== undefined) return this.#deny(ins, denial)
        try {
          if (body.type === 'process-signal') {
            sendProcessSignal(body)
            this.#opts.logger?.info({ audit: 'process-signal', instructionId: ins.id, issuer: ins.issuer, pid: body.pid, signal: body.signal }, 'signal sent')
            return this.#result(ins.id, 'completed', { exitCode: 0, stdout: '', stderr: '' })
          }
          const o = processListOutput(this.#opts.procRoot ?? DEFAULT_PROC_ROOT, this.#users)
          return this.#result(ins.id, 'completed', { exitCode: 0, stdout: o.stdout, stderr: '', truncated: o.truncated })
        } catch (err) {
          return this.#failed(ins.id, err, AgentErrorCode.Collect)
        }
      }
      if (body.type === 'report-now' || body.type === 'report-items') {
        await this.#opts.onReportRequest(body)
        return this.#result(ins.id, 'completed', {})
      }
      return await this.#operation(ins, body, signal)
    } finally {
      this.#running.delete(ins.id)
    }
  }

  async #operation (ins: SignedInstruction, body: OperationBody, signal: AbortSignal | undefined): Promise<UnsequencedResult> {
    try {
      const r = await runOperation(body, {
        instruction: ins, policy: this.#opts.policy, guard: this.#opts.guard, link: this.#opts.link, signal, logger: this.#opts.logger
      })
      if ('denied' in r) return this.#deny(ins, r.denied)
      const { outcome, ...rest } = r
      return this.#result(ins.id, outcome, rest)
    } catch (err) {
      return this.#failed(ins.id, err, AgentErrorCode.OperationFailed)
    }
  }

  #deny (ins: SignedInstruction, denial: PolicyDenial): UnsequencedResult {
    // The agent-side audit line; the hub audits the rejected result it receives.
    this.#opts.logger?.warn({ audit: 'policy-denied', instructionId: ins.id, issuer: ins.issuer, type: ins.body.type, rule: denial.rule, reason: denial.message }, 'instruction denied by the local policy')
    return this.#result(ins.id, 'rejected', { error: { code: AgentErrorCode.PolicyDenied, message: denial.message } })
  }

  #failed (instructionId: string, err: unknown, fallback: AgentErrorCode): UnsequencedResult {
    const e = err as { code?: unknown, message?: unknown }
    return this.#result(instructionId, 'failed', { error: { code: typeof e.code === 'string' ? e.code : fallback, message: String(e.message) } })
  }

  #result (instructionId: string, outcome: ResultMessage['outcome'], rest: Partial<UnsequencedResult>): UnsequencedResult {
    return { ...rest, type: 'result', time: this.#now(), instructionId, outcome }
  }
}
