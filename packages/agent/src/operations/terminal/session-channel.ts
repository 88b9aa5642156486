import type { SessionControl } from '@outpost/protocol'

/** What the hub sends down a session channel. */
export interface ChannelHandlers {
  /** Keystrokes for the shell. */
  readonly input: (bytes: Buffer) => void
  /** `resize` (other controls from the hub end up in `closed`). */
  readonly control: (c: SessionControl) => void
  /** The hub closed the session, or the channel broke for good. Called once. */
  readonly closed: (reason: string) => void
}

/** The agent's side of one live session: a WebSocket, or the POST fallback. */
export interface SessionChannel {
  readonly kind: 'ws' | 'post'
  /** Terminal output, in order. */
  write (bytes: Buffer): void
  control (c: SessionControl): void
  /** Output accepted but not yet handed to the hub (the pty pauses above a bound). */
  readonly backlog: number
  /** Sends what is queued, then closes. */
  end (): Promise<void>
  /** Closes at once. */
  close (): void
}

/** Above this backlog the shell's output is paused; below a quarter of it, resumed. */
export const MAX_BACKLOG_BYTES = 1024 * 1024
