import { LiveEvent, type LiveEvent as LiveEventType } from '@outpost/protocol'
import { matches } from './check.ts'

/** One shared `GET /api/v1/events` stream; opened while anyone listens. */
export interface LiveFeed {
  /** Calls `fn` for every valid event; returns the unsubscribe function. */
  subscribe (fn: (e: LiveEventType) => void): () => void
  /** Closes the stream (on logout). */
  close (): void
}

/** Makes the feed; `onInvalid` hears about events that do not match the schema (they are dropped). */
export function createLiveFeed (url = '/api/v1/events', onInvalid: (why: string) => void = () => {}): LiveFeed {
  const listeners = new Set<(e: LiveEventType) => void>()
  let source: EventSource | null = null
  const onMessage = (msg: MessageEvent<string>): void => {
    let data: unknown
    try {
      data = JSON.parse(msg.data)
    } catch {
      onInvalid('live event is not JSON') // reported, then dropped: one bad event must not stop the stream
      return
    }
    if (!matches(LiveEvent, data)) {
      onInvalid('live event does not match the schema')
      return
    }
    for (const fn of [...listeners]) fn(data)
  }
  const open = (): void => {
    if (source !== null) return
    source = new EventSource(url, { withCredentials: true })
    // The hub names each SSE event by its type; unnamed `message` events are accepted too.
    for (const type of ['message', 'host', 'alert', 'presence', 'job']) source.addEventListener(type, onMessage as EventListener)
  }
  const close = (): void => {
    source?.close()
    source = null
  }
  return {
    subscribe (fn) {
      listeners.add(fn)
      open()
      return () => {
        listeners.delete(fn)
        if (listeners.size === 0) close()
      }
    },
    close () {
      listeners.clear()
      close()
    }
  }
}
