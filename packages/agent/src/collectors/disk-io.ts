import type { CounterPair } from './counter-rates.ts'

/** The kernel counts /proc/diskstats sectors in 512-byte units whatever the device's sector size. */
const SECTOR_BYTES = 512

/** At most this many block devices are reported. */
export const MAX_DISKS = 256

// loop and ram devices mirror I/O already counted elsewhere or are not storage at all.
const SKIP = /^(loop|ram)\d+$/

/** True when `name` is a partition of another device in `names` (sda1 of sda, nvme0n1p2 of nvme0n1). */
function isPartition (name: string, names: ReadonlySet<string>): boolean {
  const m = /^(.*?\D)p?(\d+)$/.exec(name)
  if (m === null) return false
  const base = m[1] as string
  return names.has(base) || (base.endsWith('p') && names.has(base.slice(0, -1)))
}

/**
 * Bytes read and written per whole block device from /proc/diskstats (partitions, loop and ram
 * devices left out so that nothing is counted twice).
 */
export function parseDiskstats (text: string): Map<string, CounterPair> {
  const rows: { name: string, read: number, written: number }[] = []
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 10) continue
    const name = f[2] as string
    const read = Number(f[5])
    const written = Number(f[9])
    if (SKIP.test(name) || !Number.isFinite(read) || !Number.isFinite(written)) continue
    rows.push({ name, read: read * SECTOR_BYTES, written: written * SECTOR_BYTES })
  }
  const names = new Set(rows.map((r) => r.name))
  const out = new Map<string, CounterPair>()
  for (const r of rows) {
    if (out.size >= MAX_DISKS) break
    if (!isPartition(r.name, names)) out.set(r.name, [r.read, r.written])
  }
  return out
}
