import { Type } from '@sinclair/typebox'
import { Alert, Silence } from '@outpost/protocol'
import type { ApiClient } from './api-client.ts'

const AlertList = Type.Array(Alert)
const Ignored = Type.Unknown()

/** Alert API calls. */
export const alerts = {
  /** Open alerts, or the most recent of any state; of one host when `hostId` is given. */
  list: (c: ApiClient, state: 'open' | 'all', hostId?: string) => {
    const q = new URLSearchParams(state === 'open' ? { state: 'open', limit: '500' } : { limit: '200' })
    if (hostId !== undefined) q.set('hostId', hostId)
    return c.request('GET', `/api/v1/alerts?${q.toString()}`, AlertList)
  },
  ack: (c: ApiClient, id: string) => c.request('POST', `/api/v1/alerts/${encodeURIComponent(id)}/ack`, Ignored, {}),
  /** Silences every rule for one host from now for `minutes`. */
  silenceHost: (c: ApiClient, hostId: string, minutes: number, reason: string, now = Date.now()) => c.request('POST', '/api/v1/silences', Silence, {
    scope: { type: 'host', hostId },
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + minutes * 60_000).toISOString(),
    reason
  })
}
