import { Type, type Static } from '@sinclair/typebox'

/** Terminal size bounds. */
export const TerminalSize = {
  cols: Type.Integer({ minimum: 10, maximum: 1000 }),
  rows: Type.Integer({ minimum: 2, maximum: 500 })
}

/**
 * Opens a live session: the agent dials out to `/agent/v1/sessions/{sessionId}` (WebSocket, or
 * the POST fallback `/agent/v1/sessions/{sessionId}/out` and `/in`) and relays a terminal (a
 * login shell in a pty). Needs the `terminal` operation class and exec mode `any` (a shell runs
 * anything). The result comes when the session ends: `completed` with the shell's `exitCode`.
 */
export const SessionOpenBody = Type.Object({
  type: Type.Literal('session-open'),
  sessionId: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }),
  kind: Type.Literal('terminal'),
  ...TerminalSize
}, { additionalProperties: false })
export type SessionOpenBody = Static<typeof SessionOpenBody>

/**
 * Control frames of a live session, sent as WebSocket text frames (JSON) by every side; terminal
 * bytes travel as binary frames. `resize` goes towards the agent; `exit` and `closed` come from it
 * (or from the hub when a side vanished).
 */
export const SessionControl = Type.Union([
  Type.Object({ t: Type.Literal('resize'), ...TerminalSize }, { additionalProperties: false }),
  Type.Object({ t: Type.Literal('ready') }, { additionalProperties: false }),
  Type.Object({ t: Type.Literal('exit'), code: Type.Union([Type.Integer(), Type.Null()]) }, { additionalProperties: false }),
  Type.Object({ t: Type.Literal('closed'), reason: Type.String({ maxLength: 500 }) }, { additionalProperties: false })
])
export type SessionControl = Static<typeof SessionControl>

/** The POST fallback's upstream body (`/agent/v1/sessions/{id}/out`): output chunks in order. */
export const SessionOut = Type.Object({
  /** Counts this side's POSTs from 0, so that a retried POST is not relayed twice. */
  seq: Type.Integer({ minimum: 0 }),
  /** base64 of terminal bytes, in order. */
  data: Type.Array(Type.String({ maxLength: 1_400_000 }), { maxItems: 256 }),
  control: Type.Array(SessionControl, { maxItems: 16 })
}, { additionalProperties: false })
export type SessionOut = Static<typeof SessionOut>

/** The POST fallback's downstream answer (`/agent/v1/sessions/{id}/in`, long-poll): input since `after`. */
export const SessionIn = Type.Object({
  /** Pass back as `?after=` on the next poll. */
  next: Type.Integer({ minimum: 0 }),
  data: Type.Array(Type.String()),
  control: Type.Array(SessionControl),
  /** The session is over: stop polling. */
  closed: Type.Boolean()
}, { additionalProperties: false })
export type SessionIn = Static<typeof SessionIn>
