import type { HostDetail } from '@outpost/protocol'
import { ago } from '../model/format.ts'
import { cpuText, trafficText } from '../model/relay-view.ts'

/** For a host that runs a relay: what it last said it carries. */
export function RelayLoadCard (props: { host: HostDetail }) {
  const r = props.host.relay
  if (r === null) return null
  return (
    <section class="card relay-load" aria-labelledby="relay-load-title" data-testid="relay-load">
      <h2 id="relay-load-title">Relay</h2>
      <dl class="facts">
        <dt>Listens on</dt><dd class="wrap">{r.listen}</dd>
        <dt>Downstream</dt><dd data-testid="relay-load-downstream">{r.downstream.length} {r.downstream.length === 1 ? 'agent' : 'agents'}</dd>
        <dt>Connections</dt><dd>{r.active} open · {r.connections} since start</dd>
        <dt>Refused</dt><dd class={r.refused > 0 ? 'flag-bad' : undefined}>{r.refused}</dd>
        <dt>Traffic</dt><dd>{trafficText(r.bytesUp, r.bytesDown)}</dd>
        <dt>CPU</dt><dd>{cpuText(r.cpuPercent)}</dd>
        <dt>Reported</dt><dd>{ago(props.host.relayAt)}</dd>
      </dl>
    </section>
  )
}
