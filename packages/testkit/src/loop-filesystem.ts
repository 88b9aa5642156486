import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A small real filesystem, loop-mounted for a test, that the test can fill and empty. */
export interface LoopFilesystem {
  readonly mountPoint: string
  /** Writes a file so that the filesystem is about `pct` % used (of the space usable by users). */
  fillTo (pct: number): void
  /** Removes what `fillTo` wrote. */
  empty (): void
  /** Unmounts and removes the image. */
  cleanup (): void
}

/**
 * Makes a 4 MiB ext4 image and loop-mounts it. Needs root and loop devices (CI has both); the
 * error says so when they are missing.
 */
export function mountLoopFilesystem (sizeBytes = 4 * 1024 * 1024): LoopFilesystem {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-loopfs-'))
  const image = path.join(dir, 'fs.img')
  const mountPoint = path.join(dir, 'mnt')
  fs.mkdirSync(mountPoint)
  fs.writeFileSync(image, Buffer.alloc(0))
  fs.truncateSync(image, sizeBytes)
  try {
    execFileSync('mkfs.ext4', ['-q', '-F', image])
    execFileSync('mount', ['-o', 'loop', image, mountPoint])
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw new Error('this test loop-mounts a small ext4 image and needs root with loop devices (mkfs.ext4, mount -o loop)', { cause: err })
  }
  const fill = path.join(mountPoint, 'fill')
  return {
    mountPoint,
    fillTo (pct) {
      fs.rmSync(fill, { force: true })
      const s = fs.statfsSync(mountPoint)
      const used = (s.blocks - s.bfree) * s.bsize
      const usable = used + s.bavail * s.bsize
      fs.writeFileSync(fill, Buffer.alloc(Math.max(0, Math.floor((pct / 100) * usable - used))))
      execFileSync('sync')
    },
    empty () {
      fs.rmSync(fill, { force: true })
      execFileSync('sync')
    },
    cleanup () {
      execFileSync('umount', [mountPoint])
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
