/**
 * Live sessions (terminals relayed by the hub) and their recordings: the `live_sessions` table.
 * Not to be confused with console login sessions (`ConsoleStore`). Times are milliseconds since
 * the epoch; every method is atomic.
 */
export interface SessionStore {
  create (s: NewLiveSession): Promise<void>
  get (id: string): Promise<LiveSessionRecord | undefined>
  /** Newest first, at most `limit`; only these hosts when `hostIds` is given. */
  list (opts: { hostIds?: readonly string[] | undefined, limit: number }): Promise<LiveSessionRecord[]>
  /** Sessions of an agent that are not closed (the concurrency limit counts them). */
  countActive (agentId: string): Promise<number>
  setCommand (id: string, commandId: string): Promise<void>
  /** `pending` → `open` (the agent's shell is running). No change once closed. */
  markOpen (id: string, now: number): Promise<void>
  /** Records the recording's size and that the session is alive (`updatedAt`). No change once closed. */
  touch (id: string, recordingBytes: number, now: number): Promise<void>
  /** Closes the session once; returns false when it was closed already. */
  finish (id: string, f: { endedAt: number, exitCode: number | null, reason: string, recordingBytes: number }): Promise<boolean>
  /** Closes sessions not touched since `before` (their owner is gone); returns their ids. */
  closeStale (before: number, now: number): Promise<string[]>
}

export type LiveSessionState = 'pending' | 'open' | 'closed'

/** A new session row (state `pending`). */
export interface NewLiveSession {
  readonly id: string
  readonly agentId: string
  readonly actor: string
  readonly kind: 'terminal'
  readonly cols: number
  readonly rows: number
  readonly createdAt: number
  /** Where the asciicast file is written. */
  readonly recordingPath: string
}

/** A session row. */
export interface LiveSessionRecord extends NewLiveSession {
  readonly commandId: string | null
  readonly state: LiveSessionState
  readonly updatedAt: number
  readonly endedAt: number | null
  readonly exitCode: number | null
  readonly closeReason: string | null
  readonly recordingBytes: number
}
