import type { Role } from '@outpost/protocol'
import type { Store } from '../store/store.ts'
import type { Actor, AuditLog } from '../audit/audit-log.ts'
import type { ApiTokenService } from '../auth/api-token-service.ts'
import type { EnrollService } from '../agents/enroll-service.ts'
import { ensureAdminUser } from '../auth/admin-user.ts'
import { verifyAuditLog, type AuditVerifyResult } from '../audit/audit-verify.ts'

/** Administration that the CLI runs on the hub host, with or without a running hub. */
export interface HubAdminOps {
  /** A single-use enrollment token (encoded, carrying the public URL and TLS fingerprint). */
  createEnrollToken (opts: { ttlMs: number, group: string, createdBy: Actor }): Promise<string>
  /** A bearer API token; the secret is returned once and only its hash is stored. */
  createApiToken (opts: { name: string, role: Role, createdBy?: Actor }): Promise<string>
  /** Makes the `admin` user if there is no user; returns the generated password when it made one. */
  ensureAdminUser (password: string | null): Promise<{ created: boolean, password?: string }>
  /** Recomputes the whole audit hash chain, page by page; reports the first damaged entry. */
  verifyAudit (): Promise<AuditVerifyResult>
}

/** The admin operations over the hub's services. */
export function adminOps (d: { store: Store, audit: AuditLog, apiTokens: ApiTokenService, enroll: EnrollService, now: () => number, adminEmail?: string | null }): HubAdminOps {
  return {
    createEnrollToken: async (opts) => d.enroll.createToken(opts),
    createApiToken: async (opts) => d.apiTokens.create({ name: opts.name, role: opts.role, createdBy: opts.createdBy ?? 'system' }),
    ensureAdminUser: async (password) => ensureAdminUser(d.store, d.audit, d.now, password, d.adminEmail ?? null),
    verifyAudit: async () => verifyAuditLog((afterId, limit) => d.store.listAuditAfter(afterId, limit))
  }
}
