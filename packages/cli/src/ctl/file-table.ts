import type { FileListing } from '@outpost/protocol'

/** Renders a `file-list` result as an aligned table: TYPE MODE SIZE MODIFIED NAME. */
export function formatFileTable (listing: FileListing): string {
  const rows = [
    ['TYPE', 'MODE', 'SIZE', 'MODIFIED', 'NAME'],
    ...listing.entries.map((e) => [
      e.type, e.mode, e.protected ? '-' : String(e.size), e.mtime.slice(0, 19).replace('T', ' '),
      e.name + (e.target === undefined ? '' : ` -> ${e.target}`) + (e.protected ? '  [protected]' : '')
    ])
  ]
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return rows.map((r) => r.map((c, i) => {
    if (i === r.length - 1) return c
    return i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)
  }).join('  ').trimEnd()).join('\n') + '\n' + (listing.truncated ? '(listing truncated)\n' : '')
}
