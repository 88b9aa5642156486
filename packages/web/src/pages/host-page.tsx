import { useEffect } from 'preact/hooks'
import { hosts, presence } from '../api/endpoints.ts'
import { useApp } from '../app/app-context.ts'
import { ErrorMessage, Loading } from '../components/message.tsx'
import { StatusBadge } from '../components/status-badge.tsx'
import { useAsync } from '../components/use-async.ts'
import { healthOf } from '../model/host-health.ts'
import { ago } from '../model/format.ts'
import { HostMenu, sectionLabel } from './host-menu.tsx'
import { HostSection } from './host-section.tsx'
import { AlertList } from '../components/alert-list.tsx'
import { HostLinkLine } from '../components/host-link.tsx'
import { RelayLoadCard } from '../components/relay-load-card.tsx'

/** One host: a header, its open alerts, the operations menu and the chosen section. Tells the hub it is open. */
export function HostPage (props: { id: string, section: string }) {
  const { api, live } = useApp()
  const host = useAsync(() => hosts.get(api, props.id), [api, props.id])
  useEffect(() => {
    // Presence is a courtesy to other operators: if the hub cannot record it, the page still works.
    presence.viewing(api, props.id).catch(() => undefined)
    return () => { presence.viewing(api, null).catch(() => undefined) }
  }, [api, props.id])
  useEffect(() => live.subscribe(e => {
    if (e.type === 'host' && e.host.id === props.id) host.set(old => (old === undefined ? old : { ...old, ...e.host }))
  }), [live, props.id])
  const h = host.data
  return (
    <>
      <div class="page-head">
        <h1>{h?.name ?? props.id}</h1>
        {h === undefined ? null : <p class="host-head"><StatusBadge health={healthOf(h)} /> <span class="muted">{h.group} · {h.os || 'OS unknown'} · seen {ago(h.lastSeen)}</span></p>}
        {h === undefined ? null : <HostLinkLine host={h} />}
      </div>
      <ErrorMessage text={host.error} />
      <Loading when={host.loading && h === undefined} />
      {h === undefined ? null : (
        <section class="host-alerts" aria-label="Open alerts of this host">
          <AlertList view="open" hostId={props.id} emptyText="No open alerts." />
        </section>
      )}
      {h === undefined ? null : <RelayLoadCard host={h} />}
      {h === undefined ? null : (
        <div class="host-layout">
          <HostMenu hostId={props.id} section={props.section} />
          <section class="host-section" aria-label={sectionLabel(props.section)}>
            <HostSection host={h} section={props.section} onReload={host.reload} />
          </section>
        </div>
      )}
    </>
  )
}
