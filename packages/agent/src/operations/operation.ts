import type { Logger } from 'pino'
import type { ResultMessage, SignedInstruction } from '@outpost/protocol'
import type { PathGuard } from '../policy/path-guard.ts'
import type { Policy } from '../policy/policy-schema.ts'
import type { PolicyDenial } from '../policy/exec-policy.ts'
import type { HubLink } from '../transport/hub-link.ts'

/** What an operation handler is given besides its instruction's body. */
export interface OperationContext {
  /** The verified instruction (its id names transfers, output streams and audit lines). */
  readonly instruction: SignedInstruction
  readonly policy: Policy
  readonly guard: PathGuard
  /**
   * How to reach the hub for side channels (file transfers, live sessions, streamed output);
   * undefined when the agent runs over an injected transport that has none.
   */
  readonly link: HubLink | undefined
  /** Aborts when the agent stops. */
  readonly signal: AbortSignal | undefined
  readonly logger: Logger | undefined
}

/** The fields of a result an operation fills in. */
export type OperationOutput = Pick<ResultMessage, 'exitCode' | 'signal' | 'stdout' | 'stderr' | 'truncated' | 'durationMs' | 'error'>

/**
 * What an operation ends with: it ran (`completed`, whatever its exit code), it could not run
 * (`failed`, with an `error` code), or the local policy refused it (`denied`: the executor turns
 * that into a `rejected` result with `AGENT_ERR_POLICY_DENIED` and audits it). A handler may also
 * throw an `AgentError`: that becomes `failed` with the error's code.
 */
export type OperationResult =
  | ({ readonly outcome: 'completed' | 'failed' } & OperationOutput)
  | { readonly denied: PolicyDenial }

/** One operation's handler. */
export type OperationHandler<B> = (body: B, ctx: OperationContext) => Promise<OperationResult>
