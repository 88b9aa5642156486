import { arch, hostname, platform, release } from 'node:os'
import type { Inventory } from '@outpost/protocol'
import { collectPackages } from './installed-packages.ts'
import { clip } from './metric-name.ts'
import { collectIpAddresses, collectNics, macAddresses } from './nic-inventory.ts'
import { DEFAULT_PROC_ROOT, readRequired } from './proc-files.ts'
import { parseProcStat } from './cpu-metrics.ts'
import { parseMeminfo } from './system-metrics.ts'
import { collectDisks } from './disk-inventory.ts'
import { fullyQualifiedName, readOsRelease } from './os-release.ts'

/** Collects the slowly changing inventory. */
export interface InventoryCollector {
  /** Collects the whole inventory; may spawn a few short-lived processes (lsblk, lscpu, who, hostname, rpm). */
  collect (): Promise<Inventory>
}

/** The DNS domain: what follows the host name in the fully qualified name, empty when none. */
export function domainOf (fqdn: string, host: string): string {
  if (fqdn.startsWith(host + '.')) return fqdn.slice(host.length + 1)
  const dot = fqdn.indexOf('.')
  return dot > 0 ? fqdn.slice(dot + 1) : ''
}

/** `who` prints local date and time; unparsable values become 0 (unknown). */
function sinceMs (date: string, time: string): number {
  const ms = new Date(`${date}T${time}`).getTime()
  return Number.isFinite(ms) && ms > 0 ? ms : 0
}

/**
 * Creates an inventory collector. systeminformation supplies what it parses well (CPU model,
 * disk list and models, logged-in users); /proc, /sys, os-release and Node supply the rest
 * without spawning. The library is loaded on first use, so status-only callers never pay for it.
 */
export function createInventoryCollector (options: { procRoot?: string } = {}): InventoryCollector {
  const procRoot = options.procRoot ?? DEFAULT_PROC_ROOT
  return {
    async collect () {
      const si = await import('systeminformation')
      const [osRelease, fqdn, cpu, users, disks, packages] = await Promise.all([
        readOsRelease(), fullyQualifiedName(), si.cpu(), si.users(), collectDisks(si), collectPackages()
      ])
      const host = hostname()
      const { bootTimeS } = parseProcStat(readRequired(`${procRoot}/stat`))
      const mem = parseMeminfo(readRequired(`${procRoot}/meminfo`))
      const nics = collectNics()
      const ghz = cpu.speedMax > 0 ? cpu.speedMax : cpu.speed
      return {
        hostname: clip(host, 255),
        domain: clip(domainOf(fqdn, host), 255),
        bootTime: Math.max(0, (bootTimeS ?? 0) * 1000),
        ipAddresses: collectIpAddresses(),
        macAddresses: macAddresses(nics),
        users: users.slice(0, 1024).map((u) => ({ name: clip(u.user ?? '', 128), tty: clip(u.tty ?? '', 64), from: clip(u.ip ?? '', 255), since: sinceMs(u.date ?? '', u.time ?? '') }))
          .sort((a, b) => a.name.localeCompare(b.name) || a.tty.localeCompare(b.tty) || a.since - b.since),
        cpu: {
          model: clip([cpu.manufacturer, cpu.brand].filter((s) => s !== '').join(' '), 256),
          cores: Math.max(0, Math.floor(cpu.cores)),
          physicalCores: Math.max(0, Math.floor(cpu.physicalCores)),
          speedMhz: Number.isFinite(ghz) && ghz > 0 ? Math.round(ghz * 1000) : 0
        },
        memory: { totalBytes: mem.get('MemTotal') ?? 0, swapTotalBytes: mem.get('SwapTotal') ?? 0 },
        disks,
        nics,
        kernel: clip(release(), 128),
        os: {
          platform: clip(platform(), 32),
          distribution: clip(osRelease.distribution, 128),
          release: clip(osRelease.release, 64),
          codename: clip(osRelease.codename, 64),
          arch: clip(arch(), 32)
        },
        packages
      }
    }
  }
}
