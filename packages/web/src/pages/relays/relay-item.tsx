import type { RelaySummary } from '@outpost/protocol'
import { HopPath } from '../../components/hop-path.tsx'
import { ago } from '../../model/format.ts'
import { behindText, cpuText, trafficText } from '../../model/relay-view.ts'
import { Link } from '../../router/router.tsx'
import { RelayBadge } from './relay-badge.tsx'

const BORDER = { ok: 'health-ok', stale: 'health-warning', offline: 'health-offline' } as const

/** One relay: health, where it listens, its path to the hub, what it carries and its load. */
export function RelayItem (props: { relay: RelaySummary }) {
  const r = props.relay
  return (
    <li class={`card relay-card ${BORDER[r.health]}`} data-testid="relay-row" data-relay={r.id} data-health={r.health}>
      <div class="relay-head">
        <h2 class="relay-name"><Link href={`/hosts/${encodeURIComponent(r.id)}`}>{r.name}</Link></h2>
        <RelayBadge health={r.health} />
      </div>
      <p class="muted relay-sub">{r.group} · listens on <span class="wrap">{r.listen}</span> · reported {ago(r.reportedAt)}</p>
      <dl class="facts">
        <dt>Path to hub</dt><dd><HopPath via={r.via} self={r.name} /></dd>
        <dt>Downstream</dt><dd data-testid="relay-downstream">{r.downstream} {r.downstream === 1 ? 'agent' : 'agents'}</dd>
        <dt>Behind</dt><dd data-testid="relay-behind" class={r.unreachable > 0 ? 'flag-bad' : undefined}>{behindText(r)}</dd>
        <dt>Connections</dt><dd>{r.active} open · {r.connections} since start</dd>
        <dt>Refused</dt><dd class={r.refused > 0 ? 'flag-bad' : undefined}>{r.refused}</dd>
        <dt>Traffic</dt><dd>{trafficText(r.bytesUp, r.bytesDown)}</dd>
        <dt>CPU</dt><dd>{cpuText(r.cpuPercent)}</dd>
      </dl>
    </li>
  )
}
