import { closeSync, openSync, readSync, readdirSync, readlinkSync } from 'node:fs'
import { AgentError, AgentErrorCode } from '../errors.ts'

/** The default root of the proc file system; tests point collectors at fixture trees instead. */
export const DEFAULT_PROC_ROOT = '/proc'

// A process can exit between listing /proc and reading its files, and files of other users'
// processes may be unreadable: both mean "not visible", which the collectors treat as absent.
const VANISHED = new Set(['ENOENT', 'ESRCH', 'EACCES', 'EPERM', 'ENOTDIR', 'EINVAL'])

function isVanished (err: unknown): boolean {
  return typeof err === 'object' && err !== null && VANISHED.has(String((err as { code?: unknown }).code))
}

// procfs files live in memory: synchronous reads never wait on a disk and avoid a thread-pool
// hop per file, which is most of the CPU cost when hundreds of files are read per sample.
// readFileSync cannot size a proc file (stat says 0 bytes) and allocates a fresh 64 KiB buffer
// per call; one reused scratch buffer keeps a sample from churning megabytes of native memory.
const MAX_FILE_BYTES = 64 * 1024 * 1024
let scratch = Buffer.allocUnsafe(64 * 1024)

function readSmallFile (path: string): string {
  const fd = openSync(path, 'r')
  try {
    let used = 0
    for (;;) {
      if (used === scratch.length) {
        if (scratch.length >= MAX_FILE_BYTES) throw new RangeError(`${path} is larger than ${MAX_FILE_BYTES} bytes`)
        const bigger = Buffer.allocUnsafe(scratch.length * 2)
        scratch.copy(bigger, 0, 0, used)
        scratch = bigger
      }
      const n = readSync(fd, scratch, used, scratch.length - used, null)
      if (n === 0) break
      used += n
    }
    return scratch.toString('utf8', 0, used)
  } finally {
    closeSync(fd)
  }
}

/** Reads a file that must exist (e.g. `/proc/stat`); failure is `AGENT_ERR_COLLECT`. */
export function readRequired (path: string): string {
  try {
    return readSmallFile(path)
  } catch (cause) {
    throw new AgentError(AgentErrorCode.Collect, `cannot read ${path}`, { cause })
  }
}

/** Reads a file that may be gone or hidden (a per-process file); `null` then. */
export function readOptional (path: string): string | null {
  try {
    return readSmallFile(path)
  } catch (err) {
    if (isVanished(err)) return null
    throw new AgentError(AgentErrorCode.Collect, `cannot read ${path}`, { cause: err })
  }
}

/** Lists a directory that may be gone or hidden; empty then. */
export function listOptional (path: string): string[] {
  try {
    return readdirSync(path)
  } catch (err) {
    if (isVanished(err)) return []
    throw new AgentError(AgentErrorCode.Collect, `cannot list ${path}`, { cause: err })
  }
}

/** Reads a symbolic link that may be gone or hidden; `null` then. */
export function readLinkOptional (path: string): string | null {
  try {
    return readlinkSync(path)
  } catch (err) {
    if (isVanished(err)) return null
    throw new AgentError(AgentErrorCode.Collect, `cannot read link ${path}`, { cause: err })
  }
}

/** The numeric entries of a proc root: one per process. */
export function listPids (procRoot: string): number[] {
  const pids: number[] = []
  for (const name of listOptional(procRoot)) {
    if (/^\d+$/.test(name)) pids.push(Number(name))
  }
  return pids
}
