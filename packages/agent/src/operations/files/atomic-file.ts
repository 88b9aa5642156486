import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import type { Stats } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import path from 'node:path'
import type { PathGuard } from '../../policy/path-guard.ts'
import type { PolicyDenial } from '../../policy/exec-policy.ts'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import { guardPath, openChecked, protectedDenial } from './file-guard.ts'
import { fileError } from './file-facts.ts'

/** Suffix of the copy of an overwritten file's previous content. */
export const BACKUP_SUFFIX = '.outpost-bak'
/** Mode of a new file when the instruction names none. */
export const DEFAULT_NEW_FILE_MODE = 0o644

/** Where and how a whole-file write will land, decided before any byte is written. */
export interface WritePlan {
  /** The path as the instruction named it. */
  readonly path: string
  /** The file actually replaced: `path` with every symlink resolved (a write through a link edits its target). */
  readonly real: string
  /** The file being replaced, or undefined for a new file. */
  readonly existing: Stats | undefined
  readonly mode: number
  readonly backupPath: string | undefined
}

/**
 * Checks a write target: the resolved path and its backup must not be protected (so a symlink
 * into a protected path is refused), an existing target must be a regular file, and its
 * directory must exist.
 */
export async function planWrite (guard: PathGuard, p: string, opts: { mode?: string | undefined, backup?: boolean | undefined }): Promise<{ readonly denied: PolicyDenial } | WritePlan> {
  const g = await guardPath(guard, p)
  if ('denied' in g) return g
  let existing: Stats | undefined
  try {
    existing = await fs.lstat(g.real)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(err, p)
  }
  // The guard resolved every link: a link here was put in place after the check.
  if (existing?.isSymbolicLink() === true) return { denied: protectedDenial(p, 'changed into a symlink while being checked') }
  if (existing !== undefined && !existing.isFile()) throw new AgentError(AgentErrorCode.NotAFile, `${p} exists and is not a regular file`)
  const dir = await fs.stat(path.dirname(g.real)).catch((err: unknown) => { throw fileError(err, path.dirname(p)) })
  if (!dir.isDirectory()) throw new AgentError(AgentErrorCode.NotAFile, `${path.dirname(p)} is not a directory`)
  let backupPath: string | undefined
  if (opts.backup !== false && existing !== undefined) {
    backupPath = g.real + BACKUP_SUFFIX
    const b = await guardPath(guard, backupPath)
    if ('denied' in b) return b
  }
  const mode = opts.mode !== undefined ? parseInt(opts.mode, 8) : existing !== undefined ? existing.mode & 0o7777 : DEFAULT_NEW_FILE_MODE
  return { path: p, real: g.real, existing, mode, backupPath }
}

/**
 * A new version of a file written next to it and put in place at once: temporary file in the
 * same directory (created exclusively, never through a link), fsync, the old content kept as
 * `PATH.outpost-bak` (a hard link, so no copy), rename over the target, fsync of the directory.
 * Owner and mode of the replaced file are kept; readers never see a half-written file.
 */
export class AtomicFile {
  readonly #plan: WritePlan
  readonly #tmp: string
  readonly #handle: FileHandle
  #closed = false

  private constructor (plan: WritePlan, tmp: string, handle: FileHandle) {
    this.#plan = plan
    this.#tmp = tmp
    this.#handle = handle
  }

  /** Creates the temporary file; a denial when the directory was swapped under the check. */
  static async create (guard: PathGuard, plan: WritePlan): Promise<{ readonly denied: PolicyDenial } | AtomicFile> {
    const tmp = path.join(path.dirname(plan.real), `.${path.basename(plan.real)}.outpost-tmp-${randomBytes(6).toString('hex')}`)
    const opened = await openChecked(guard, plan.path, tmp, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600)
    if ('denied' in opened) {
      await fs.rm(tmp, { force: true })
      return opened
    }
    return new AtomicFile(plan, tmp, opened.handle)
  }

  /** Appends bytes. */
  async write (chunk: Uint8Array): Promise<void> {
    let off = 0
    while (off < chunk.length) off += (await this.#handle.write(chunk, off, chunk.length - off)).bytesWritten
  }

  /**
   * Puts the new content in place. `check` runs last before the backup and rename (e.g. the
   * `expectSha256` comparison), to keep the window for a concurrent edit small.
   */
  async commit (check?: () => Promise<void>): Promise<{ readonly backupPath: string | null }> {
    const { existing, mode, real, backupPath } = this.#plan
    try {
      await this.#handle.chmod(mode)
      if (existing !== undefined) await this.#chown(existing)
      await this.#handle.sync()
      await this.#close()
      await check?.()
      if (backupPath !== undefined) await keepBackup(real, backupPath)
      await fs.rename(this.#tmp, real)
    } catch (err) {
      await this.abort()
      throw fileError(err, this.#plan.path)
    }
    await syncDir(path.dirname(real))
    return { backupPath: backupPath ?? null }
  }

  /** Drops the temporary file. */
  async abort (): Promise<void> {
    await this.#close()
    await fs.rm(this.#tmp, { force: true })
  }

  async #close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#handle.close()
  }

  async #chown (st: Stats): Promise<void> {
    try {
      await this.#handle.chown(st.uid, st.gid)
    } catch (err) {
      // Only root may give a file away; an unprivileged agent keeps its own uid (mode is still kept).
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err
    }
  }
}

/** Replaces `backup` with a hard link to the current `real` (a copy where links are refused). */
async function keepBackup (real: string, backup: string): Promise<void> {
  await fs.rm(backup, { force: true })
  try {
    await fs.link(real, backup)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EPERM' && code !== 'EXDEV' && code !== 'ENOTSUP' && code !== 'EMLINK') throw err
    await fs.copyFile(real, backup, fs.constants.COPYFILE_EXCL)
  }
}

/** Makes the rename durable. */
async function syncDir (dir: string): Promise<void> {
  const h = await fs.open(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY)
  try {
    await h.sync()
  } finally {
    await h.close()
  }
}
