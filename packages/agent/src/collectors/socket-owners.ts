import { clip } from './metric-name.ts'
import { listOptional, listPids, readLinkOptional, readOptional } from './proc-files.ts'

/** At most this many unresolvable inodes are remembered; a sane host has far fewer. */
const MAX_UNRESOLVED = 8192

/**
 * Finds which process owns a socket inode by scanning /proc/<pid>/fd. A full scan reads one link
 * per open file on the host, so results are cached: the scan runs only when a listening inode
 * is neither cached nor known to be invisible (a kernel socket, or a process of another user
 * when the agent is not root), and a cached owner is dropped when its process is gone.
 */
export class SocketOwners {
  readonly #procRoot: string
  readonly #owners = new Map<number, { pid: number, name: string }>()
  #unresolved = new Set<number>()

  constructor (procRoot: string) {
    this.#procRoot = procRoot
  }

  /** Owner process names for `inodes` ('' when not visible). */
  resolve (inodes: readonly number[]): Map<number, string> {
    const live = new Set(inodes)
    for (const [inode, owner] of this.#owners) {
      if (!live.has(inode) || readOptional(`${this.#procRoot}/${owner.pid}/stat`) === null) this.#owners.delete(inode)
    }
    this.#unresolved = new Set([...this.#unresolved].filter((i) => live.has(i)))
    const missing = inodes.filter((i) => i > 0 && !this.#owners.has(i) && !this.#unresolved.has(i))
    if (missing.length > 0) this.#scan(new Set(missing))
    const out = new Map<number, string>()
    for (const inode of inodes) out.set(inode, this.#owners.get(inode)?.name ?? '')
    return out
  }

  #scan (wanted: Set<number>): void {
    for (const pid of listPids(this.#procRoot)) {
      if (wanted.size === 0) break
      const fdDir = `${this.#procRoot}/${pid}/fd`
      for (const fd of listOptional(fdDir)) {
        const m = /^socket:\[(\d+)\]$/.exec(readLinkOptional(`${fdDir}/${fd}`) ?? '')
        const inode = Number(m?.[1] ?? 0)
        if (!wanted.has(inode)) continue
        wanted.delete(inode)
        const comm = (readOptional(`${this.#procRoot}/${pid}/comm`) ?? '').trim()
        this.#owners.set(inode, { pid, name: clip(comm, 256) })
      }
    }
    for (const inode of wanted) if (this.#unresolved.size < MAX_UNRESOLVED) this.#unresolved.add(inode)
  }
}
