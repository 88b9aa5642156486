import type { Inventory } from '@outpost/protocol'

/** Filesystems at or above this use are flagged. */
export const FS_FULL_PCT = 90

/** One filesystem from the latest metrics. */
export interface FsUse { readonly mount: string, readonly usedPct: number, readonly sizeBytes: number | undefined, readonly abnormal: boolean }

/** Filesystems from `fs.used_pct[mnt]` metrics, fullest first. */
export function filesystems (metrics: Readonly<Record<string, number>>): FsUse[] {
  const out: FsUse[] = []
  for (const [name, value] of Object.entries(metrics)) {
    const m = /^fs\.used_pct\[(.+)\]$/.exec(name)
    if (m?.[1] === undefined) continue
    out.push({ mount: m[1], usedPct: value, sizeBytes: metrics[`fs.size_bytes[${m[1]}]`], abnormal: value >= FS_FULL_PCT })
  }
  return out.sort((a, b) => b.usedPct - a.usedPct)
}

/** A NIC is abnormal when a physical one is not up. */
export function nicAbnormal (nic: Inventory['nics'][number]): boolean {
  return !nic.virtual && nic.state !== 'up'
}

/** Memory is abnormal at or above this use. */
export const MEM_HIGH_PCT = 90
