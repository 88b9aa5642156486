import type { AuditRecord } from '../store/store.ts'
import { AUDIT_GENESIS_HASH, auditHash } from '../store/kysely/audit-chain.ts'

/** Why the audit chain does not hold at `firstBadId`. */
export type AuditDamage = 'edited' | 'removed' | 'reordered' | 'broken'

/** The outcome of a full audit-chain check. */
export type AuditVerifyResult =
  | { readonly ok: true, readonly entries: number, readonly head: string }
  | { readonly ok: false, readonly entries: number, readonly firstBadId: number, readonly reason: AuditDamage }

/** Reads the audit log oldest first, a page after a given id (`Store.listAuditAfter`). */
export type AuditPageReader = (afterId: number, limit: number) => Promise<readonly AuditRecord[]>

/** Entries read per page: memory stays bounded however long the log is. */
export const AUDIT_VERIFY_PAGE = 500

/** A broken link that is classified later: `wants` is the predecessor hash the entry names. */
interface Pending { readonly id: number, readonly wants: string }

/**
 * Walks the whole log in id order and recomputes the chain. Classification of the first damage:
 * - `edited`: an entry's stored hash is not the hash of its own fields (changed in place);
 * - `removed`: the link breaks across a gap in ids (`firstBadId` is the first missing id);
 * - `reordered`: the link breaks and the hash it names turns up later in the log;
 * - `broken`: the link breaks with none of the above (e.g. an entry rewritten with a new hash).
 * Removing the newest entries, or rewriting the whole tail with fresh hashes, keeps a valid
 * chain: compare the reported head with one noted earlier to catch that.
 */
export async function verifyAuditLog (read: AuditPageReader, pageSize = AUDIT_VERIFY_PAGE): Promise<AuditVerifyResult> {
  let prevHash = AUDIT_GENESIS_HASH
  let prevId = 0
  let entries = 0
  let damage: { id: number, reason: AuditDamage } | undefined
  let pending: Pending | undefined
  // Bounded: each page moves prevId forward, and an empty page ends the walk.
  for (;;) {
    const page = await read(prevId, pageSize)
    if (page.length === 0) break
    for (const e of page) {
      entries++
      if (pending !== undefined && e.hash === pending.wants) {
        damage = { id: pending.id, reason: 'reordered' }
        pending = undefined
      }
      if (damage === undefined && pending === undefined) {
        if (auditHash(e.prevHash, e) !== e.hash) damage = { id: e.id, reason: 'edited' }
        else if (e.prevHash !== prevHash) {
          if (e.id !== prevId + 1) damage = { id: prevId + 1, reason: 'removed' }
          else pending = { id: e.id, wants: e.prevHash }
        }
      }
      prevHash = e.hash
      prevId = e.id
    }
    if (page.length < pageSize) break
  }
  if (pending !== undefined) damage = { id: pending.id, reason: 'broken' }
  return damage === undefined ? { ok: true, entries, head: prevHash } : { ok: false, entries, firstBadId: damage.id, reason: damage.reason }
}
