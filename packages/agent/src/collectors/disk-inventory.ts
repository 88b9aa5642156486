import type { Inventory } from '@outpost/protocol'
import { clip } from './metric-name.ts'

/** One block device of the inventory. */
export type Disk = Inventory['disks'][number]

/** The subset of systeminformation the disk inventory uses. */
export interface DiskSource {
  blockDevices (): Promise<{ name: string, type: string, size: number, model: string, physical: string }[]>
  diskLayout (): Promise<{ device: string, name: string, vendor: string, type: string, size: number }[]>
}

// loop and ram devices are not storage the host owns.
const SKIP = /^(loop|ram)\d+$/

/**
 * Whole disks from `lsblk` (via systeminformation `blockDevices`), with the model and media type
 * from `diskLayout` where it knows the disk (it needs udev data that containers often lack).
 */
export async function collectDisks (si: DiskSource): Promise<Disk[]> {
  const [devices, layout] = await Promise.all([si.blockDevices(), si.diskLayout()])
  const byDevice = new Map(layout.map((d) => [d.device.replace(/^\/dev\//, ''), d]))
  const out: Disk[] = []
  for (const d of devices) {
    if (d.type !== 'disk' || SKIP.test(d.name) || out.length >= 256) continue
    const l = byDevice.get(d.name)
    const model = l !== undefined ? [l.vendor, l.name].filter((s) => s !== '').join(' ') : d.model
    out.push({
      device: clip(d.name, 128),
      model: clip(model.trim(), 256),
      sizeBytes: Math.max(0, Number.isFinite(d.size) ? d.size : 0),
      type: clip(l?.type !== undefined && l.type !== '' ? l.type : d.physical, 32)
    })
  }
  return out.sort((a, b) => a.device.localeCompare(b.device))
}
