import type { Store } from '../store/store.ts'

/** Who did something, as the audit log names them: `user:NAME`, `token:NAME`, `agent:ID`, `system`. */
export type Actor = string

/** One audited action, without its time (the log stamps it). */
export interface AuditEvent {
  readonly actor: Actor
  /** Dotted verb, e.g. `command.create`. */
  readonly action: string
  readonly target: string
  /** `ok`, `denied` or an error code. */
  readonly result: string
  readonly detail?: Readonly<Record<string, unknown>>
}

/** Audited verbs, so that writers and readers of the log agree. */
export const AuditAction = {
  AgentEnroll: 'agent.enroll',
  EnrollTokenCreate: 'enroll-token.create',
  ApiTokenCreate: 'api-token.create',
  UserCreate: 'user.create',
  CommandCreate: 'command.create',
  CommandResult: 'command.result',
  /** An agent posted output for a command that is not its own (only refusals are audited). */
  CommandOutput: 'command.output',
  FileDownload: 'file.download',
  FileUpload: 'file.upload',
  /** An agent asked for a transfer that is not its own, unknown, used or expired. */
  FileTransferRefused: 'file.transfer-refused',
  ApiAccess: 'api.access',
  Login: 'session.login',
  Logout: 'session.logout',
  UserUpdate: 'user.update',
  TotpEnable: 'user.totp-enable',
  TotpDisable: 'user.totp-disable',
  JobCreate: 'job.create',
  JobStart: 'job.start',
  JobCancel: 'job.cancel',
  /** Live sessions: opened by an operator, joined (operator socket), attached (agent side), closed, recording downloaded. */
  SessionOpen: 'live-session.open',
  SessionJoin: 'live-session.join',
  SessionAttach: 'live-session.attach',
  SessionClose: 'live-session.close',
  SessionRecording: 'live-session.recording'
} as const

/** Appends to the store's append-only audit log with the hub's clock. */
export class AuditLog {
  readonly #store: Store
  readonly #now: () => number

  constructor (store: Store, now: () => number) {
    this.#store = store
    this.#now = now
  }

  /** Records one event; resolves after it is stored. */
  async record (e: AuditEvent): Promise<void> {
    await this.#store.appendAudit({ time: this.#now(), actor: e.actor, action: e.action, target: e.target, result: e.result, detail: e.detail ?? {} })
  }
}
