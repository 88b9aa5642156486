import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { SessionInfo } from '@outpost/protocol'
import type { ApiClient } from '../api/api-client.ts'
import type { LiveFeed } from '../api/live-feed.ts'

/** What every page may use: the API client, the live feed and who is logged in. */
export interface AppServices {
  readonly api: ApiClient
  readonly live: LiveFeed
  readonly session: SessionInfo
}

/** Provided by `App` once a session exists. */
export const AppContext = createContext<AppServices | null>(null)

/** The services; only pages under a session call it. */
export function useApp (): AppServices {
  const s = useContext(AppContext)
  if (s === null) throw new Error('useApp outside a session')
  return s
}
