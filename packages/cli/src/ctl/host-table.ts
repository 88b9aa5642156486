import type { HostSummary } from '@outpost/protocol'

/** Renders hosts as an aligned text table for people. */
export function formatHostTable (hosts: readonly HostSummary[]): string {
  const rows = [['ID', 'NAME', 'GROUP', 'STATUS', 'LAST SEEN', 'OS'], ...hosts.map((h) => [h.id, h.name, h.group, h.status, h.lastSeen ?? '-', h.os])]
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n'
}
