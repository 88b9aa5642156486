import { useMemo } from 'preact/hooks'
import { relays } from '../../api/relay-endpoints.ts'
import { useApp } from '../../app/app-context.ts'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useAsync } from '../../components/use-async.ts'
import { useLiveRefetch } from '../../components/use-live-refetch.ts'
import { sortRelays } from '../../model/relay-view.ts'
import { RelayItem } from './relay-item.tsx'

/** Every relay the user may see, offline and stale ones first, refreshed as hosts change. */
export function RelaysPage () {
  const { api } = useApp()
  const list = useAsync(() => relays.list(api), [api])
  useLiveRefetch(list.reload)
  const shown = useMemo(() => sortRelays(list.data ?? []), [list.data])
  const bad = shown.filter(r => r.health !== 'ok').length
  return (
    <>
      <div class="page-head">
        <h1>Relays</h1>
        <p class="muted" role="status" data-testid="relay-count">{shown.length} {shown.length === 1 ? 'relay' : 'relays'} · {bad} {bad === 1 ? 'needs' : 'need'} attention</p>
      </div>
      <ErrorMessage text={list.error} />
      <Loading when={list.loading && list.data === undefined} />
      {list.data !== undefined && shown.length === 0 ? <p class="muted">No relay yet: an agent started with --relay-listen shows up here.</p> : null}
      {shown.length === 0 ? null : <ul class="cards relay-cards" aria-label="Relays">{shown.map(r => <RelayItem key={r.id} relay={r} />)}</ul>}
    </>
  )
}
