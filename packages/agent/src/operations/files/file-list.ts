import fs from 'node:fs/promises'
import path from 'node:path'
import { MAX_FILE_LIST_ENTRIES, type FileEntry, type FileListBody, type FileListing } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { guardPath, openChecked } from './file-guard.ts'
import { fileError, fileType, jsonOutput, modeString } from './file-facts.ts'

/**
 * Lists a directory. The directory itself must not be protected; protected entries are listed
 * with `protected: true` and nothing that could tell their content (size 0, no link target).
 * Entries are read through the opened directory (`/proc/self/fd/N`), so the directory that was
 * checked is the one listed.
 */
export async function listDirectory (body: FileListBody, ctx: OperationContext): Promise<OperationResult> {
  const g = await guardPath(ctx.guard, body.path)
  if ('denied' in g) return g
  const opened = await openChecked(ctx.guard, body.path, g.real, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY)
  if ('denied' in opened) return opened
  try {
    const via = await fdPath(opened.handle.fd, g.real)
    let names: string[]
    try {
      names = await fs.readdir(via)
    } catch (err) {
      throw fileError(err, body.path)
    }
    names.sort()
    const truncated = names.length > MAX_FILE_LIST_ENTRIES
    const entries: FileEntry[] = []
    for (const name of names.slice(0, MAX_FILE_LIST_ENTRIES)) {
      const entry = await describe(ctx, via, g.real, name)
      if (entry !== undefined) entries.push(entry)
    }
    const listing: FileListing = { path: body.path, entries, truncated }
    return jsonOutput(listing)
  } finally {
    await opened.handle.close()
  }
}

async function describe (ctx: OperationContext, via: string, real: string, name: string): Promise<FileEntry | undefined> {
  let st
  try {
    st = await fs.lstat(path.join(via, name))
  } catch (err) {
    // Removed between readdir and lstat: simply no longer there.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new AgentError(AgentErrorCode.OperationFailed, `${path.join(real, name)}: ${(err as Error).message}`, { cause: err })
  }
  const isProtected = await ctx.guard.isProtected(path.join(real, name))
  const type = fileType(st)
  const entry: FileEntry = { name, type, size: isProtected ? 0 : st.size, mode: modeString(st.mode), mtime: st.mtime.toISOString(), protected: isProtected }
  if (type === 'link' && !isProtected) return { ...entry, target: await fs.readlink(path.join(via, name)) }
  return entry
}

/** The opened directory's magic link when /proc has it, else the checked path. */
async function fdPath (fd: number, real: string): Promise<string> {
  const p = `/proc/self/fd/${fd}`
  try {
    await fs.access(p)
    return p
  } catch {
    return real // no /proc: the identity was compared at open
  }
}
