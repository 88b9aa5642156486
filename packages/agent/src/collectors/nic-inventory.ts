import { existsSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import type { Inventory } from '@outpost/protocol'
import { clip } from './metric-name.ts'
import { listOptional, readOptional } from './proc-files.ts'

/** The sysfs root the NIC list is read from. */
export const DEFAULT_SYS_ROOT = '/sys'
const MAX_NICS = 256
const MAX_ADDRESSES = 64

/** One network interface of the inventory. */
export type Nic = Inventory['nics'][number]

const ZERO_MAC = '00:00:00:00:00:00'

/**
 * The host's network interfaces (loopback left out) from sysfs, which answers without spawning
 * (systeminformation runs a command per interface), with the addresses Node knows for each.
 * An interface is virtual when the kernel lists it under /sys/devices/virtual/net.
 */
export function collectNics (sysRoot: string = DEFAULT_SYS_ROOT): Nic[] {
  const addrs = networkInterfaces()
  const out: Nic[] = []
  for (const name of listOptional(`${sysRoot}/class/net`).sort()) {
    if (name === 'lo' || out.length >= MAX_NICS) continue
    const dir = `${sysRoot}/class/net/${name}`
    const speed = Number((readOptional(`${dir}/speed`) ?? '').trim())
    const state = (readOptional(`${dir}/operstate`) ?? 'unknown').trim()
    const mine = addrs[name] ?? []
    out.push({
      name: clip(name, 64),
      mac: clip((readOptional(`${dir}/address`) ?? '').trim(), 64),
      ipv4: mine.filter((a) => a.family === 'IPv4').map((a) => a.address).sort().slice(0, MAX_ADDRESSES),
      ipv6: mine.filter((a) => a.family === 'IPv6').map((a) => a.address).sort().slice(0, MAX_ADDRESSES),
      // The kernel reports -1 (or refuses to answer) when the link has no known speed.
      speedMbps: Number.isFinite(speed) && speed > 0 ? speed : null,
      state: state === 'up' || state === 'down' ? state : 'unknown',
      virtual: existsSync(`${sysRoot}/devices/virtual/net/${name}`)
    })
  }
  return out
}

/** Every non-loopback address of the host, sorted, at most 256. */
export function collectIpAddresses (): string[] {
  const all = new Set<string>()
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) all.add(a.address)
  }
  return [...all].sort().slice(0, 256)
}

/** The distinct real MAC addresses of `nics`, sorted. */
export function macAddresses (nics: readonly Nic[]): string[] {
  return [...new Set(nics.map((n) => n.mac).filter((m) => m !== '' && m !== ZERO_MAC))].sort().slice(0, 256)
}
