import type { Metric } from '@outpost/protocol'
import { metricName, round2 } from './metric-name.ts'

/** Two monotonic byte counters per instance (read/write or received/sent). */
export type CounterPair = readonly [number, number]

/**
 * Per-second rates of two counters per instance between two readings `elapsedS` apart, named
 * `names[0][instance]` and `names[1][instance]`. Instances new since the previous reading, or
 * whose counters went back (device re-created, counter wrapped), get no rate this time.
 */
export function counterRates (
  prev: ReadonlyMap<string, CounterPair>,
  cur: ReadonlyMap<string, CounterPair>,
  elapsedS: number,
  names: readonly [string, string]
): Metric[] {
  if (!(elapsedS > 0)) return []
  const out: Metric[] = []
  for (const [instance, now] of cur) {
    const before = prev.get(instance)
    if (before === undefined) continue
    const d0 = now[0] - before[0]
    const d1 = now[1] - before[1]
    if (d0 < 0 || d1 < 0) continue
    out.push({ name: metricName(names[0], instance), value: round2(d0 / elapsedS) })
    out.push({ name: metricName(names[1], instance), value: round2(d1 / elapsedS) })
  }
  return out
}
