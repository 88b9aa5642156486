import { useEffect, useMemo, useState } from 'preact/hooks'
import type { HostSummary } from '@outpost/protocol'
import { hosts } from '../api/endpoints.ts'
import { useApp } from '../app/app-context.ts'
import { ErrorMessage, Loading } from '../components/message.tsx'
import { useAsync } from '../components/use-async.ts'
import { VirtualList } from '../components/virtual-list.tsx'
import { isFaulty, upsertHost, visibleHosts, type HostFilter } from '../model/host-health.ts'
import { HostRow, HOST_ROW_HEIGHT } from './host-row.tsx'

const FILTERS: ReadonlyArray<{ value: HostFilter, label: string }> = [
  { value: 'all', label: 'All' }, { value: 'faulty', label: 'Faulty' }, { value: 'online', label: 'Online' }, { value: 'offline', label: 'Offline' }
]

/** Every host, faulty ones first, searchable, updated live. */
export function HostListPage () {
  const { api, live } = useApp()
  const list = useAsync(() => hosts.list(api), [api])
  const [text, setText] = useState('')
  const [filter, setFilter] = useState<HostFilter>('all')
  useEffect(() => live.subscribe(e => { if (e.type === 'host') list.set(old => upsertHost(old ?? [], e.host)) }), [live])
  const all: readonly HostSummary[] = list.data ?? []
  const shown = useMemo(() => visibleHosts(all, text, filter), [all, text, filter])
  const faulty = useMemo(() => all.filter(isFaulty).length, [all])
  return (
    <>
      <div class="page-head">
        <h1>Hosts</h1>
        <p class="muted" role="status" data-testid="host-count">{all.length} {all.length === 1 ? 'host' : 'hosts'} · {faulty} {faulty === 1 ? 'needs' : 'need'} attention · {shown.length} shown</p>
      </div>
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="host-search" class="sr-only">Search hosts</label>
        <input id="host-search" type="search" placeholder="Search name, group, OS" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <label for="host-filter" class="sr-only">Status</label>
        <select id="host-filter" value={filter} onChange={(e) => setFilter(e.currentTarget.value as HostFilter)}>
          {FILTERS.map(f => <option key={f.value} value={f.value}>{f.label}</option>)}
        </select>
      </form>
      <ErrorMessage text={list.error} />
      <Loading when={list.loading && list.data === undefined} />
      {list.data !== undefined && shown.length === 0 ? <p class="muted">No host matches.</p> : null}
      <VirtualList items={shown} rowHeight={HOST_ROW_HEIGHT} itemKey={h => h.id} label="Hosts" render={h => <HostRow host={h} />} />
    </>
  )
}
