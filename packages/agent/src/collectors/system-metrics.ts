import type { Metric } from '@outpost/protocol'
import { round2 } from './metric-name.ts'

/** `load.1m`, `load.5m`, `load.15m` and `system.procs` from /proc/loadavg. */
export function loadMetrics (loadavg: string): Metric[] {
  const f = loadavg.trim().split(/\s+/)
  const out: Metric[] = []
  const names = ['load.1m', 'load.5m', 'load.15m']
  for (let i = 0; i < 3; i++) {
    const v = Number(f[i])
    if (Number.isFinite(v) && v >= 0) out.push({ name: names[i] as string, value: v })
  }
  // Fourth field is "runnable/total" scheduling entities (processes and threads).
  const total = Number(f[3]?.split('/')[1])
  if (Number.isInteger(total) && total >= 0) out.push({ name: 'system.procs', value: total })
  return out
}

/** `system.uptime_s` from /proc/uptime. */
export function uptimeMetrics (uptime: string): Metric[] {
  const v = Number(uptime.trim().split(/\s+/)[0])
  return Number.isFinite(v) && v >= 0 ? [{ name: 'system.uptime_s', value: Math.floor(v) }] : []
}

/** /proc/meminfo as bytes by field name (the file states kB, meaning KiB). */
export function parseMeminfo (text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?/.exec(line)
    if (m !== null) out.set(m[1] as string, Number(m[2]) * (line.includes(' kB') ? 1024 : 1))
  }
  return out
}

/**
 * Memory and swap use. "Used" memory is total minus `MemAvailable` (what applications could
 * still get without swapping), which is what people mean by "memory is full"; kernels before
 * 3.14 lack it, so free + buffers + cached stands in for it there.
 */
export function memoryMetrics (meminfo: Map<string, number>): Metric[] {
  const total = meminfo.get('MemTotal')
  if (total === undefined || total <= 0) return []
  const available = meminfo.get('MemAvailable') ??
    (meminfo.get('MemFree') ?? 0) + (meminfo.get('Buffers') ?? 0) + (meminfo.get('Cached') ?? 0)
  const used = Math.max(0, total - available)
  const out: Metric[] = [
    { name: 'mem.total_bytes', value: total },
    { name: 'mem.used_bytes', value: used },
    { name: 'mem.available_bytes', value: Math.max(0, available) },
    { name: 'mem.used_pct', value: round2((used / total) * 100) }
  ]
  const swapTotal = meminfo.get('SwapTotal') ?? 0
  const swapUsed = Math.max(0, swapTotal - (meminfo.get('SwapFree') ?? swapTotal))
  out.push({ name: 'swap.total_bytes', value: swapTotal }, { name: 'swap.used_bytes', value: swapUsed })
  out.push({ name: 'swap.used_pct', value: swapTotal > 0 ? round2((swapUsed / swapTotal) * 100) : 0 })
  return out
}
