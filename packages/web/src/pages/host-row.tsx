import type { HostSummary } from '@outpost/protocol'
import { StatusBadge } from '../components/status-badge.tsx'
import { alertCounts, healthOf } from '../model/host-health.ts'
import { ago } from '../model/format.ts'
import { Link } from '../router/router.tsx'
import { viaText } from '../model/relay-view.ts'

/** Row height in CSS pixels; `.host-row` in app.css has the same. */
export const HOST_ROW_HEIGHT = 72

/** One host at a glance: health (colour, icon, word), name, group, OS, last report, open alerts. */
export function HostRow (props: { host: HostSummary }) {
  const h = props.host
  const health = healthOf(h)
  const a = alertCounts(h)
  const alerts = [a.critical > 0 ? `${a.critical} critical` : '', a.warning > 0 ? `${a.warning} warning` : ''].filter(x => x !== '').join(', ')
  return (
    <Link href={`/hosts/${encodeURIComponent(h.id)}`} class={`host-row health-${health}`}>
      <span class="host-main">
        <span class="host-name">{h.name}</span>
        <span class="host-meta muted">{h.group} · {h.os === '' ? 'OS unknown' : h.os}</span>
        {h.via.length === 0 ? null : <span class="host-via" data-testid="host-via">{viaText(h.via)}</span>}
      </span>
      <span class="host-side">
        <StatusBadge health={health} />
        <span class="host-meta muted">{alerts !== '' ? alerts : `seen ${ago(h.lastSeen)}`}</span>
      </span>
    </Link>
  )
}
