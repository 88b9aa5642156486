import { createHash } from 'node:crypto'
import { canonicalJson } from '@outpost/protocol'
import type { AuditRecord, NewAuditEntry } from '../store.ts'

/** The `prevHash` of the first audit entry. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64)

/**
 * SHA-256 hex over the previous hash and the canonical JSON of the entry's own fields. Any
 * edited, removed or re-ordered entry breaks every hash after it.
 */
export function auditHash (prevHash: string, e: NewAuditEntry): string {
  const body = canonicalJson({ time: e.time, actor: e.actor, action: e.action, target: e.target, result: e.result, detail: e.detail })
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex')
}

/**
 * Checks entries given oldest first (a contiguous run, e.g. the whole log). Returns the id of
 * the first entry that does not chain, or `undefined` when all do.
 */
export function verifyAuditChain (entries: readonly AuditRecord[], startHash = AUDIT_GENESIS_HASH): number | undefined {
  let prev = startHash
  for (const e of entries) {
    if (e.prevHash !== prev || auditHash(prev, e) !== e.hash) return e.id
    prev = e.hash
  }
  return undefined
}
