import type { ProcessListEntry } from '@outpost/protocol'

/** Bytes as a short human size (KiB-based, like `ps`/`top`). */
function formatBytes (n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++ }
  return u === 0 ? `${v}B` : `${v.toFixed(v < 10 ? 1 : 0)}${units[u] ?? ''}`
}

/** Renders a `process-list` result as an aligned table: PID USER STATE %CPU MEM COMMAND. */
export function formatProcessTable (processes: readonly ProcessListEntry[]): string {
  const rows = [
    ['PID', 'USER', 'STATE', '%CPU', 'MEM', 'COMMAND'],
    ...processes.map((p) => [String(p.pid), p.user, p.state, p.cpuPct === undefined ? '-' : p.cpuPct.toFixed(1), formatBytes(p.memBytes), p.command])
  ]
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  const right = new Set([0, 3, 4])
  return rows.map((r) => r.map((c, i) => {
    if (i === r.length - 1) return c
    return right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)
  }).join('  ').trimEnd()).join('\n') + '\n'
}
