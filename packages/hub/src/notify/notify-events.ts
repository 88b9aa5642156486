import { EventEmitter } from 'node:events'
import type { DeliveryChannel } from './notification.ts'

/** What happened to one delivery (targets of webhooks are reduced to their origin: paths may hold tokens). */
export interface DeliveryEvent {
  readonly id: string
  readonly channel: DeliveryChannel
  readonly target: string
  readonly alertIds: readonly string[]
  readonly attempts: number
  /** The failure, on `retry` and `failed`. */
  readonly error?: Error
  /** When the next attempt is due (epoch ms), on `retry`. */
  readonly nextAttemptAt?: number
}

/** A recipient or webhook refused before any attempt (bad address, non-http URL, no SMTP, queue full). */
export interface RefusedEvent {
  readonly channel: DeliveryChannel
  readonly target: string
  readonly alertId: string
  readonly reason: string
}

/** The notifier's event stream: tests wait on it, and metrics can count from it. */
export type NotifierEventMap = {
  delivered: [DeliveryEvent]
  retry: [DeliveryEvent]
  failed: [DeliveryEvent]
  refused: [RefusedEvent]
}

/** Counters since start. */
export interface NotifierStats {
  /** Deliveries waiting (grouping, due, or backing off), including those in flight. */
  pending: number
  inFlight: number
  delivered: number
  /** Failed attempts that were scheduled again. */
  retried: number
  /** Deliveries given up (permanent failure, attempts exhausted, or unsent at shutdown). */
  failed: number
  /** Recipients or webhooks refused before any attempt. */
  refused: number
}

/** Creates the shared emitter. */
export function createNotifierEvents (): EventEmitter<NotifierEventMap> {
  return new EventEmitter<NotifierEventMap>()
}

/** The part of a target safe for logs and events. */
export function safeTarget (channel: DeliveryChannel, target: string): string {
  if (channel === 'email') return target
  try {
    return new URL(target).origin
  } catch {
    // Not a URL at all: say so rather than echo it (it may be a secret pasted by mistake).
    return '(invalid URL)'
  }
}
