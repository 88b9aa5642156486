import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'

/** Mode of every file the agent writes into its state dir: owner read/write only. */
export const STATE_FILE_MODE = 0o600
/** Mode of the state dir and its sub-directories. */
export const STATE_DIR_MODE = 0o700

/**
 * Writes a file so that a reader (or a restart after a crash) sees either the old content or
 * the new one, never a mix: write a temp file in the same directory, fsync it, rename it over
 * the target, then fsync the directory so the rename itself is durable.
 */
export function writeFileAtomic (file: string, data: string | Uint8Array, mode = STATE_FILE_MODE): void {
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const fd = fs.openSync(tmp, 'wx', mode)
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  try {
    fs.renameSync(tmp, file)
  } catch (err) {
    fs.rmSync(tmp, { force: true })
    throw err
  }
  fsyncDir(dir)
}

/** Makes a rename or unlink in `dir` durable. */
export function fsyncDir (dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** Creates `dir` (and parents) with mode 0700 and tightens it if it already existed looser. */
export function ensurePrivateDir (dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: STATE_DIR_MODE })
  const st = fs.statSync(dir)
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, STATE_DIR_MODE)
}
