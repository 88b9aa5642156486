import { randomId, Role } from '@outpost/protocol'
import type { Store } from '../store/store.ts'
import { AuditAction, type AuditLog } from '../audit/audit-log.ts'
import { hashPassword } from './password-hash.ts'

/** Name of the first user, made on first start. */
export const ADMIN_USER_NAME = 'admin'

/**
 * Creates the `admin` user when the hub has no user yet. With `password` null a random one is
 * made and returned, so that the caller can show it once; it is not kept anywhere in clear.
 * `email` (config `adminEmail`) becomes the admin's address when made, or later if it has none.
 */
export async function ensureAdminUser (store: Store, audit: AuditLog, now: () => number, password: string | null, email: string | null = null): Promise<{ created: boolean, password?: string }> {
  if (await store.countUsers() > 0) {
    const admin = email === null ? undefined : await store.console.getUser(ADMIN_USER_NAME)
    if (admin !== undefined && admin.email === null) await store.console.updateUser(ADMIN_USER_NAME, { email })
    return { created: false }
  }
  const chosen = password ?? randomId(18)
  await store.console.createUser({ id: randomId(12), name: ADMIN_USER_NAME, passwordHash: await hashPassword(chosen), role: Role.Admin, createdAt: now(), email, groups: [] })
  await audit.record({ actor: 'system', action: AuditAction.UserCreate, target: `user:${ADMIN_USER_NAME}`, result: 'ok', detail: { role: Role.Admin } })
  return password === null ? { created: true, password: chosen } : { created: true }
}
