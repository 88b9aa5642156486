import { RelayList } from '@outpost/protocol'
import type { ApiClient } from './api-client.ts'

/** Relay API calls. */
export const relays = {
  /** `GET /api/v1/relays`: the relays the caller may see, with health and load. */
  list: (c: ApiClient) => c.request('GET', '/api/v1/relays', RelayList)
}
