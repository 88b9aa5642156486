import type { PackageList, ServiceList, ServiceStatus } from '@outpost/protocol'

/** Aligned columns, the last one left free (descriptions, versions). */
function table (rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n'
}

/** `outpost ctl services`: UNIT LOAD ACTIVE SUB FILE DESCRIPTION. */
export function formatServiceTable (list: ServiceList): string {
  return table([
    ['UNIT', 'LOAD', 'ACTIVE', 'SUB', 'FILE', 'DESCRIPTION'],
    ...list.map((s) => [s.name, s.loadState, s.activeState, s.subState, s.unitFileState === '' ? '-' : s.unitFileState, s.description])
  ])
}

/** `outpost ctl packages`: NAME VERSION ARCH. */
export function formatPackageTable (list: PackageList): string {
  return table([['NAME', 'VERSION', 'ARCH'], ...list.map((p) => [p.name, p.version, p.arch])])
}

/** `outpost ctl service ID NAME status`: a summary in the spirit of `systemctl status`, then the journal. */
export function formatServiceStatus (s: ServiceStatus): string {
  const lines = [
    `${s.name}${s.description === '' ? '' : ` - ${s.description}`}`,
    `   Loaded: ${s.loadState}${s.unitFileState === '' ? '' : ` (${s.unitFileState})`}`,
    `   Active: ${s.activeState} (${s.subState})`
  ]
  if (s.mainPid !== null) lines.push(` Main PID: ${s.mainPid}`)
  if (s.journal.length > 0) lines.push('', ...s.journal)
  return lines.join('\n') + '\n'
}
