import { OutpostError } from '@outpost/protocol'

/**
 * Every failure the agent reports, with its stable code. Codes that travel back to the hub in a
 * `result` (e.g. a rejected instruction) keep the same code. Each is documented in docs/errors.md.
 */
export const AgentErrorCode = {
  Config: 'AGENT_ERR_CONFIG',
  NotEnrolled: 'AGENT_ERR_NOT_ENROLLED',
  EnrollFailed: 'AGENT_ERR_ENROLL_FAILED',
  /** The hub's certificate does not match the pinned fingerprint. */
  CertMismatch: 'AGENT_ERR_CERT_MISMATCH',
  Proxy: 'AGENT_ERR_PROXY',
  Transport: 'AGENT_ERR_TRANSPORT',
  /** The hub answered with an error envelope. */
  HubRefused: 'AGENT_ERR_HUB_REFUSED',
  /** The hub asked the agent to slow down (429/503). */
  Throttled: 'AGENT_ERR_THROTTLED',
  InstructionUnsigned: 'AGENT_ERR_INSTRUCTION_UNSIGNED',
  InstructionBadSignature: 'AGENT_ERR_INSTRUCTION_BAD_SIGNATURE',
  InstructionExpired: 'AGENT_ERR_INSTRUCTION_EXPIRED',
  InstructionReplayed: 'AGENT_ERR_INSTRUCTION_REPLAYED',
  InstructionWrongAgent: 'AGENT_ERR_INSTRUCTION_WRONG_AGENT',
  /** The instruction (signed) does not match the schema. */
  InstructionInvalid: 'AGENT_ERR_INSTRUCTION_INVALID',
  ExecFailed: 'AGENT_ERR_EXEC_FAILED',
  /** The local policy file is missing (when named), unreadable, unsafe or invalid. */
  Policy: 'AGENT_ERR_POLICY',
  /** The local policy refused an instruction; the message names the rule. */
  PolicyDenied: 'AGENT_ERR_POLICY_DENIED',
  /** A `process-signal` target does not exist (ESRCH) or may not be signalled by the agent (EPERM). */
  NoSuchProcess: 'AGENT_ERR_NO_SUCH_PROCESS',
  /** A relay refused a CONNECT (wrong target, unsigned, forged, replayed, loop, upstream down); the HTTP status and message say which. */
  RelayRefused: 'AGENT_ERR_RELAY_REFUSED',
  /** No upstream of the `--upstream` list could be reached. */
  NoUpstream: 'AGENT_ERR_NO_UPSTREAM',
  SpoolFull: 'AGENT_ERR_SPOOL_FULL',
  State: 'AGENT_ERR_STATE',
  /** A collector could not read a source it cannot do without (e.g. /proc/stat). */
  Collect: 'AGENT_ERR_COLLECT',
  /** A remote operation (files, terminal, services, packages, power) could not be carried out; the message says why. */
  OperationFailed: 'AGENT_ERR_OPERATION_FAILED',
  /** A file operation's path does not exist (or its parent directory, for a write). */
  NoSuchFile: 'AGENT_ERR_NO_SUCH_FILE',
  /** A file operation needs a regular file (or a directory, for a listing) and found something else. */
  NotAFile: 'AGENT_ERR_NOT_A_FILE',
  /** `file-read` of a file larger than `MAX_FILE_VIEW_BYTES` (download it instead). */
  FileTooLarge: 'AGENT_ERR_FILE_TOO_LARGE',
  /** `file-write` with an `expectSha256` the current content no longer has: someone changed the file. */
  FileChanged: 'AGENT_ERR_FILE_CHANGED',
  /** An upload's bytes do not match the size or SHA-256 of the signed instruction; nothing was written. */
  TransferMismatch: 'AGENT_ERR_TRANSFER_MISMATCH',
  /** systemd is not running (not PID 1, no bus) or `systemctl` is missing: services cannot be managed. */
  ServiceManager: 'AGENT_ERR_SERVICE_MANAGER',
  /** Neither apt (dpkg) nor dnf (rpm) is installed: packages cannot be managed. */
  PackageManager: 'AGENT_ERR_PACKAGE_MANAGER'
} as const
export type AgentErrorCode = (typeof AgentErrorCode)[keyof typeof AgentErrorCode]

/** An agent failure with a stable code. */
export class AgentError extends OutpostError {
  constructor (code: AgentErrorCode, message: string, options: { details?: unknown, cause?: unknown, statusCode?: number } = {}) {
    super(code, message, options)
    this.name = 'AgentError'
  }
}
