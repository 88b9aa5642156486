import type { Metric } from '@outpost/protocol'
import { round2 } from './metric-name.ts'

/** Aggregate CPU time counters from the first line of /proc/stat, in clock ticks. */
export interface CpuTimes {
  readonly user: number
  readonly nice: number
  readonly system: number
  readonly idle: number
  readonly iowait: number
  readonly irq: number
  readonly softirq: number
  readonly steal: number
}

/** Parses /proc/stat: the aggregate `cpu` line and `btime` (boot time, seconds since the epoch). */
export function parseProcStat (text: string): { cpu: CpuTimes | null, bootTimeS: number | null } {
  let cpu: CpuTimes | null = null
  let bootTimeS: number | null = null
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const f = line.trim().split(/\s+/).slice(1).map(Number)
      // guest and guest_nice are already counted in user and nice, so they are not added again.
      cpu = { user: f[0] ?? 0, nice: f[1] ?? 0, system: f[2] ?? 0, idle: f[3] ?? 0, iowait: f[4] ?? 0, irq: f[5] ?? 0, softirq: f[6] ?? 0, steal: f[7] ?? 0 }
    } else if (line.startsWith('btime ')) {
      const v = Number(line.slice(6).trim())
      if (Number.isFinite(v)) bootTimeS = v
    }
  }
  return { cpu, bootTimeS }
}

/**
 * CPU utilisation between two readings, in % of all cores: `cpu.util_pct` (everything but
 * idle and iowait), `cpu.user_pct` (user + nice), `cpu.system_pct` (system + irq + softirq),
 * `cpu.iowait_pct`, `cpu.steal_pct`. Nothing when the counters did not advance or went back.
 */
export function cpuMetrics (prev: CpuTimes, cur: CpuTimes): Metric[] {
  const d = (k: keyof CpuTimes): number => cur[k] - prev[k]
  const keys: (keyof CpuTimes)[] = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal']
  if (keys.some((k) => d(k) < 0)) return []
  const total = keys.reduce((sum, k) => sum + d(k), 0)
  if (total <= 0) return []
  const pct = (ticks: number): number => round2(Math.min(100, (ticks / total) * 100))
  return [
    { name: 'cpu.util_pct', value: pct(total - d('idle') - d('iowait')) },
    { name: 'cpu.user_pct', value: pct(d('user') + d('nice')) },
    { name: 'cpu.system_pct', value: pct(d('system') + d('irq') + d('softirq')) },
    { name: 'cpu.iowait_pct', value: pct(d('iowait')) },
    { name: 'cpu.steal_pct', value: pct(d('steal')) }
  ]
}
