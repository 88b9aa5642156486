import { statSync } from 'node:fs'
import { readOptional } from './proc-files.ts'

/** The local account database; users from LDAP and the like show as their numeric uid. */
export const DEFAULT_PASSWD_PATH = '/etc/passwd'

/** Maps uids to user names from a passwd file, read again only when the file changes. */
export class UserNames {
  readonly #path: string
  #mtimeMs = -1
  #names = new Map<number, string>()

  constructor (path: string = DEFAULT_PASSWD_PATH) {
    this.#path = path
  }

  /** The name of `uid`, or the uid as text when the file does not know it. */
  name (uid: number): string {
    return this.#names.get(uid) ?? String(uid)
  }

  /** Reads the file again if it changed since the last call; call once per sample. */
  refresh (): void {
    const st = statSync(this.#path, { throwIfNoEntry: false })
    const mtime = st?.mtimeMs ?? 0
    if (mtime === this.#mtimeMs) return
    this.#mtimeMs = mtime
    this.#names = new Map()
    const text = st === undefined ? null : readOptional(this.#path)
    for (const line of (text ?? '').split('\n')) {
      const f = line.split(':')
      const uid = Number(f[2])
      if (f.length >= 3 && f[0] !== '' && Number.isInteger(uid) && !this.#names.has(uid)) this.#names.set(uid, f[0] as string)
    }
  }
}
