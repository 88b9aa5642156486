import { statfs } from 'node:fs/promises'
import type { Metric } from '@outpost/protocol'
import { metricName, round2 } from './metric-name.ts'

/**
 * File system types that hold no user data (kernel interfaces, memory-backed scratch space) or
 * are read-only images that are always 100 % full by design (squashfs snaps, ISO images).
 */
export const PSEUDO_FS_TYPES: ReadonlySet<string> = new Set([
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'devtmpfs',
  'efivarfs', 'fusectl', 'fuse.gvfsd-fuse', 'fuse.lxcfs', 'fuse.portal', 'hugetlbfs', 'iso9660',
  'mqueue', 'nfsd', 'nsfs', 'proc', 'pstore', 'ramfs', 'rootfs', 'rpc_pipefs', 'securityfs',
  'selinuxfs', 'squashfs', 'sysfs', 'tmpfs', 'tracefs', 'udf', 'xenfs'
])

/**
 * Mounts under these paths belong to containers (their root file systems and volumes): on a
 * container host there are hundreds, they come and go, and their space is the host file system
 * that holds them, which is reported under its own mount point.
 */
export const CONTAINER_MOUNT_PREFIXES: readonly string[] = [
  '/var/lib/docker/', '/var/lib/containers/', '/var/lib/kubelet/', '/run/containerd/', '/run/k3s/', '/run/docker/', '/var/snap/'
]
/** At most this many file systems are reported. */
export const MAX_FILESYSTEMS = 256

/** A statfs that has not answered within this time is left out of the sample. */
export const STATFS_TIMEOUT_MS = 2000

/** One line of /proc/mounts. */
export interface Mount { readonly source: string, readonly mountPoint: string, readonly fsType: string }

/** Undoes the octal escapes (`\040` for a space) the kernel writes into /proc/mounts. */
function unescapeMountField (field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

/** Parses /proc/mounts, leaving out pseudo file systems; a later mount on the same point wins. */
export function parseMounts (text: string): Mount[] {
  const byPoint = new Map<string, Mount>()
  for (const line of text.split('\n')) {
    const f = line.split(' ')
    if (f.length < 3) continue
    const fsType = f[2] as string
    if (PSEUDO_FS_TYPES.has(fsType)) continue
    const mountPoint = unescapeMountField(f[1] as string)
    if (mountPoint === '' || CONTAINER_MOUNT_PREFIXES.some((p) => mountPoint.startsWith(p))) continue
    byPoint.delete(mountPoint)
    byPoint.set(mountPoint, { source: unescapeMountField(f[0] as string), mountPoint, fsType })
  }
  return [...byPoint.values()].slice(0, MAX_FILESYSTEMS)
}

// A statfs on a dead network mount can block its thread-pool thread for minutes. The call in
// flight is shared by every caller in the process, so that concurrent or repeated samples wait
// on the same call instead of piling more threads onto the same mount.
const pending = new Map<string, Promise<Usage | null>>()

interface Usage { blocks: number, bfree: number, bavail: number, bsize: number, files: number, ffree: number }

function statfsShared (mountPoint: string): Promise<Usage | null> {
  let call = pending.get(mountPoint)
  if (call === undefined) {
    call = statfs(mountPoint).then((u): Usage | null => u, () => {
      // The mount went away or errors (ENOENT, EACCES, ESTALE): it is left out of this sample,
      // which the hub sees as missing metrics; one bad mount must not lose all the others.
      return null
    }).finally(() => pending.delete(mountPoint))
    pending.set(mountPoint, call)
  }
  return call
}

async function statfsBounded (mountPoint: string): Promise<Usage | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>((resolve) => { timer = setTimeout(resolve, STATFS_TIMEOUT_MS, null); timer.unref() })
  try {
    return await Promise.race([statfsShared(mountPoint), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Usage of every real file system: `fs.size_bytes`, `fs.used_bytes`, `fs.free_bytes` (available
 * to unprivileged users), `fs.used_pct` (as `df` computes it: used / (used + available)) and
 * `fs.inodes_used_pct`, each with the mount point as instance. Bind mounts of one file system
 * are reported once, under the shortest mount point.
 */
export async function filesystemMetrics (mounts: readonly Mount[]): Promise<Metric[]> {
  const usages = await Promise.all(mounts.map(async (m) => ({ m, u: await statfsBounded(m.mountPoint) })))
  const chosen = new Map<string, { m: Mount, u: Usage }>()
  for (const { m, u } of usages) {
    if (u === null || u.blocks <= 0) continue
    // Same source and type with the same geometry is the same file system mounted twice.
    const key = `${m.source}|${m.fsType}|${u.blocks}|${u.bsize}`
    const seen = chosen.get(key)
    if (seen === undefined || m.mountPoint.length < seen.m.mountPoint.length) chosen.set(key, { m, u })
  }
  const out: Metric[] = []
  for (const { m, u } of chosen.values()) {
    const size = u.blocks * u.bsize
    const used = (u.blocks - u.bfree) * u.bsize
    const avail = u.bavail * u.bsize
    const inst = m.mountPoint
    out.push({ name: metricName('fs.size_bytes', inst), value: size })
    out.push({ name: metricName('fs.used_bytes', inst), value: used })
    out.push({ name: metricName('fs.free_bytes', inst), value: avail })
    out.push({ name: metricName('fs.used_pct', inst), value: used + avail > 0 ? round2((used / (used + avail)) * 100) : 0 })
    if (u.files > 0) out.push({ name: metricName('fs.inodes_used_pct', inst), value: round2(((u.files - u.ffree) / u.files) * 100) })
  }
  return out
}
