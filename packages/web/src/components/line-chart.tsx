/** One point of a series. */
export interface ChartPoint { readonly time: number, readonly value: number }

const W = 320
const H = 120
const PAD = 4

/** The polyline points of a series scaled into the chart box (exported for tests). */
export function chartPath (points: readonly ChartPoint[], min: number, max: number): string {
  if (points.length === 0) return ''
  const t0 = points[0]?.time ?? 0
  const t1 = points[points.length - 1]?.time ?? t0
  const dt = t1 - t0 || 1
  const dv = max - min || 1
  return points.map(p => {
    const x = PAD + ((p.time - t0) / dt) * (W - 2 * PAD)
    const y = H - PAD - ((p.value - min) / dv) * (H - 2 * PAD)
    return `${x.toFixed(1)},${y.toFixed(1)}`
  }).join(' ')
}

/**
 * A small SVG line chart that scales to its container. `fixedMax` pins the top (100 for
 * percentages); otherwise the range follows the data. The latest value is also given in text.
 */
export function LineChart (props: { title: string, unit: string, points: readonly ChartPoint[], fixedMax?: number, format?: (v: number) => string }) {
  const fmt = props.format ?? ((v: number) => `${Math.round(v * 10) / 10}${props.unit}`)
  const values = props.points.map(p => p.value)
  const min = props.fixedMax === undefined ? Math.min(0, ...values) : 0
  const max = props.fixedMax ?? Math.max(1, ...values)
  const last = values[values.length - 1]
  const label = last === undefined ? `${props.title}: no data` : `${props.title}: latest ${fmt(last)}, range ${fmt(Math.min(...values))} to ${fmt(Math.max(...values))}`
  return (
    <figure class="chart">
      <figcaption><span>{props.title}</span><strong>{last === undefined ? '—' : fmt(last)}</strong></figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} preserveAspectRatio="none">
        <line class="chart-grid" x1={0} x2={W} y1={H / 2} y2={H / 2} />
        {props.points.length > 1
          ? <polyline class="chart-line" points={chartPath(props.points, min, max)} />
          : <text class="chart-empty" x={W / 2} y={H / 2} text-anchor="middle">{props.points.length === 0 ? 'no data yet' : 'one sample so far'}</text>}
      </svg>
      <div class="chart-scale muted"><span>{fmt(min)}</span><span>{fmt(max)}</span></div>
    </figure>
  )
}
