import fs from 'node:fs/promises'
import type { FileStat, FileStatBody } from '@outpost/protocol'
import { UserNames } from '../../collectors/user-names.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { guardPath } from './file-guard.ts'
import { fileError, fileType, jsonOutput, modeString } from './file-facts.ts'

const users = new UserNames()
const groups = new UserNames('/etc/group')

/** Facts about one path, not following a final symlink; a protected path is denied. */
export async function statPath (body: FileStatBody, ctx: OperationContext): Promise<OperationResult> {
  const g = await guardPath(ctx.guard, body.path)
  if ('denied' in g) return g
  let st
  try {
    st = await fs.lstat(body.path)
  } catch (err) {
    throw fileError(err, body.path)
  }
  users.refresh()
  groups.refresh()
  const type = fileType(st)
  const out: FileStat = {
    path: body.path, realPath: g.real, type, size: st.size, mode: modeString(st.mode),
    uid: st.uid, gid: st.gid, user: users.name(st.uid), group: groups.name(st.gid),
    mtime: st.mtime.toISOString(), protected: false,
    ...(type === 'link' ? { target: await fs.readlink(body.path) } : {})
  }
  return jsonOutput(out)
}
