import fs from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import path from 'node:path'
import type { PathGuard } from '../../policy/path-guard.ts'
import type { PolicyDenial } from '../../policy/exec-policy.ts'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import { fileError } from './file-facts.ts'

/** The guard's answer for a file operation: a denial, or the path with every link resolved. */
export type GuardedPath = { readonly denied: PolicyDenial } | { readonly real: string }

/** The denial of a protected path, naming the rule (for the audit) and the path (for the operator). */
export function protectedDenial (p: string, rule: string | undefined): PolicyDenial {
  return { rule: `protectedPaths: ${rule ?? ''}`, message: `path ${JSON.stringify(p)} is protected by the local policy (protectedPaths: ${rule ?? ''})` }
}

/** Resolves `p` through the guard; a protected path (or one that cannot be resolved) is a denial. */
export async function guardPath (guard: PathGuard, p: string): Promise<GuardedPath> {
  const v = await guard.check(p)
  return v.protected ? { denied: protectedDenial(p, v.rule) } : { real: v.real }
}

/**
 * Opens the already checked real path `real` without following a final symlink, then asks the
 * kernel which file it actually opened (`/proc/self/fd/N`) and runs that through the guard again:
 * a directory or link swapped in between the check and the open (a TOCTOU race) is caught and
 * becomes a denial. Where /proc is missing, the opened file's identity is compared with a fresh stat.
 */
export async function openChecked (guard: PathGuard, p: string, real: string, flags: number, mode?: number): Promise<{ readonly denied: PolicyDenial } | { readonly handle: FileHandle }> {
  let handle: FileHandle
  try {
    handle = await fs.open(real, flags | fs.constants.O_NOFOLLOW, mode)
  } catch (err) {
    // ELOOP: the final component turned into a symlink after the check.
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') return { denied: protectedDenial(p, 'changed into a symlink while being checked') }
    throw fileError(err, p)
  }
  try {
    const denial = await verifyOpened(guard, handle, p, real)
    if (denial !== undefined) {
      await handle.close()
      return { denied: denial }
    }
    return { handle }
  } catch (err) {
    await handle.close()
    throw fileError(err, p)
  }
}

/**
 * Opens a regular file for reading (`guardPath`, then `openChecked`, non-blocking so a FIFO cannot
 * hang the agent) and stats the opened descriptor; anything else than a regular file is
 * `AGENT_ERR_NOT_A_FILE`. The caller closes the handle.
 */
export async function openGuardedFile (guard: PathGuard, p: string): Promise<{ readonly denied: PolicyDenial } | { readonly handle: FileHandle, readonly stat: Stats }> {
  const g = await guardPath(guard, p)
  if ('denied' in g) return g
  const opened = await openChecked(guard, p, g.real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  if ('denied' in opened) return opened
  try {
    const stat = await opened.handle.stat()
    if (!stat.isFile()) throw new AgentError(AgentErrorCode.NotAFile, `${p} is not a regular file`)
    return { handle: opened.handle, stat }
  } catch (err) {
    await opened.handle.close()
    throw fileError(err, p)
  }
}

async function verifyOpened (guard: PathGuard, handle: FileHandle, p: string, real: string): Promise<PolicyDenial | undefined> {
  let opened: string | undefined
  try {
    opened = await fs.readlink(`/proc/self/fd/${handle.fd}`)
  } catch {
    opened = undefined // no /proc: fall back to comparing identities below
  }
  if (opened !== undefined) {
    if (opened !== path.resolve(real)) return protectedDenial(p, `opened ${opened} instead of ${real}`)
    const v = await guard.check(opened)
    return v.protected ? protectedDenial(p, v.rule) : undefined
  }
  const [a, b] = await Promise.all([handle.stat(), fs.lstat(real)])
  return a.dev === b.dev && a.ino === b.ino ? undefined : protectedDenial(p, 'changed while being checked')
}
