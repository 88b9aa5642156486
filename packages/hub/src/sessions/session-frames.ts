import type { SessionControl } from '@outpost/protocol'
import type { Bus } from '../bus/bus.ts'
import { BusSubject } from '../bus/bus.ts'

/**
 * What travels on a session's bus subjects: terminal bytes (base64, so that a NATS bus carries
 * the same JSON) or one control frame. `up` goes from the agent side to operators and the
 * recorder, `down` from operators (and the hub) to the agent side.
 */
export type SessionFrame =
  | { readonly data: string }
  | { readonly control: SessionControl }

/** Publishes terminal bytes on one side of a session. */
export function publishData (bus: Bus, subject: string, bytes: Uint8Array): void {
  bus.publish(subject, { data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') })
}

/** Publishes a control frame on one side of a session. */
export function publishControl (bus: Bus, subject: string, control: SessionControl): void {
  bus.publish(subject, { control })
}

/** The frame in a bus payload; `undefined` for anything else (a NATS peer of another version). */
export function asFrame (payload: unknown): SessionFrame | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined
  const p = payload as { data?: unknown, control?: unknown }
  if (typeof p.data === 'string') return { data: p.data }
  if (typeof p.control === 'object' && p.control !== null && typeof (p.control as { t?: unknown }).t === 'string') return { control: p.control as SessionControl }
  return undefined
}

/** Both subjects of a session. */
export function sessionSubjects (id: string): { up: string, down: string } {
  return { up: BusSubject.sessionUp(id), down: BusSubject.sessionDown(id) }
}
