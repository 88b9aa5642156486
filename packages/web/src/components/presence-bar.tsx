import { useEffect } from 'preact/hooks'
import type { PresenceEntry } from '@outpost/protocol'
import { presence } from '../api/endpoints.ts'
import { useApp } from '../app/app-context.ts'
import { useAsync } from './use-async.ts'

/** Who is logged in now and which host each has open; updated by `presence` live events. */
export function PresenceBar () {
  const { api, live, session } = useApp()
  const list = useAsync(() => presence.list(api), [api])
  useEffect(() => live.subscribe(e => { if (e.type === 'presence') list.set(() => e.presence) }), [live])
  const entries: readonly PresenceEntry[] = list.data ?? []
  const others = entries.filter(p => p.user !== session.user)
  return (
    <section class="presence" aria-label="Operators logged in now">
      <span class="presence-me">{session.user} <span class="muted">({session.role})</span></span>
      {list.error !== undefined
        ? <span class="muted">presence unavailable</span>
        : <span class="presence-others" data-testid="presence">{others.length === 0 ? 'no one else online' : `also online: ${others.map(p => p.viewingHostId === null ? p.user : `${p.user} (on ${p.viewingHostId})`).join(', ')}`}</span>}
    </section>
  )
}
