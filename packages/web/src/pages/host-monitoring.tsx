import type { HostDetail } from '@outpost/protocol'
import { hosts } from '../api/endpoints.ts'
import { useApp } from '../app/app-context.ts'
import { LineChart } from '../components/line-chart.tsx'
import { ErrorMessage, Loading } from '../components/message.tsx'
import { useAsync } from '../components/use-async.ts'
import { bytes } from '../model/format.ts'

const CHARTS = [
  { metric: 'cpu.util_pct', title: 'CPU busy', unit: ' %', max: 100 },
  { metric: 'mem.used_pct', title: 'Memory used', unit: ' %', max: 100 },
  { metric: 'load.1m', title: 'Load (1 min)', unit: '', max: undefined },
  { metric: 'swap.used_pct', title: 'Swap used', unit: ' %', max: 100 }
] as const

const WINDOW_MS = 3600_000

/** Charts of the last hour of the main metrics. */
export function MonitoringPanel (props: { host: HostDetail }) {
  const { api } = useApp()
  const series = useAsync(async () => {
    const from = Date.now() - WINDOW_MS
    return Promise.all(CHARTS.map(c => hosts.metrics(api, props.host.id, c.metric, from)))
  }, [api, props.host.id])
  const net = Object.entries(props.host.metrics).filter(([k]) => k.startsWith('net.rx_bps[')).slice(0, 4)
  return (
    <>
      <div class="section-head">
        <h2>Last hour</h2>
        <button type="button" class="btn" onClick={series.reload}>Refresh</button>
      </div>
      <ErrorMessage text={series.error} />
      <Loading when={series.loading && series.data === undefined} />
      <div class="charts">
        {series.data?.map((s, i) => {
          const c = CHARTS[i]
          if (c === undefined) return null
          return <LineChart key={c.metric} title={c.title} unit={c.unit} {...(c.max === undefined ? {} : { fixedMax: c.max })}
            points={s.points.map(p => ({ time: Date.parse(p.time), value: p.value }))} />
        })}
      </div>
      {net.length === 0 ? null : (
        <>
          <h2>Network now</h2>
          <ul class="kv">{net.map(([k, v]) => <li key={k}><span>{k.slice('net.rx_bps['.length, -1)} in</span><strong>{bytes(v)}/s</strong></li>)}</ul>
        </>
      )}
    </>
  )
}
