import { LiveSessionInfo, LiveSessionList } from '@outpost/protocol'
import type { ApiClient } from './api-client.ts'
import { ApiError } from './api-error.ts'

const enc = encodeURIComponent

/** Terminal sessions: open one, list a host's, fetch a recording. */
export const sessions = {
  open: (c: ApiClient, hostId: string, cols: number, rows: number) =>
    c.request('POST', `/api/v1/hosts/${enc(hostId)}/sessions`, LiveSessionInfo, { kind: 'terminal', cols, rows }),
  list: (c: ApiClient, hostId: string) => c.request('GET', `/api/v1/sessions?hostId=${enc(hostId)}`, LiveSessionList),
  /** The session's WebSocket on this origin (the session cookie authenticates it). */
  wsUrl: (id: string) => `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api/v1/sessions/${enc(id)}/ws`,
  /** The asciicast v2 recording as text (parsed by `model/asciicast.ts`). */
  async recording (id: string, signal?: AbortSignal): Promise<string> {
    const res = await fetch(`/api/v1/sessions/${enc(id)}/recording`, { credentials: 'same-origin', cache: 'no-store', ...(signal === undefined ? {} : { signal }) })
    if (!res.ok) throw new ApiError('WEB_ERR_HTTP', res.status, `the recording could not be fetched (${res.status})`)
    return res.text()
  }
}
