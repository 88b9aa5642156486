import { mkdir } from 'node:fs/promises'
import type { Store } from '../store/store.ts'
import { openStore } from '../store/open-store.ts'
import type { HubConfig } from '../config/hub-config.ts'
import { storeOptionsFor } from '../config/store-options.ts'
import { defaultPublicUrl, readHubFacts, urlHost } from '../config/hub-facts.ts'
import { loadTlsMaterial } from '../tls/tls-material.ts'
import { loadHubSigningKey } from '../auth/hub-signing-key.ts'
import { AuditLog } from '../audit/audit-log.ts'
import { ApiTokenService } from '../auth/api-token-service.ts'
import { EnrollService } from '../agents/enroll-service.ts'
import { adminOps, type HubAdminOps } from './admin-ops.ts'

/** Admin operations on a hub's data directory, usable while the hub is stopped. */
export interface HubAdmin extends HubAdminOps {
  /** The URL put into enrollment tokens. */
  readonly publicUrl: string
  /** SHA-256 of the hub's TLS certificate. */
  readonly fingerprint: string
  /** Closes the store (when opened here). */
  close (): Promise<void>
}

/**
 * Opens the hub's store and TLS material without starting the hub (`outpost admin … --data DIR`).
 * The public URL comes from `config.publicUrl`, else from `DIR/hub.json` that a running hub
 * writes when it starts, else from `config.listen`. If the hub never started here, the
 * certificate and instruction key are made now, exactly as the first start would make them.
 */
export async function openHubAdmin (config: HubConfig, deps: { store?: Store, now?: () => number } = {}): Promise<HubAdmin> {
  const now = deps.now ?? Date.now
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
  const facts = await readHubFacts(config.dataDir)
  const publicUrl = config.publicUrl !== null ? defaultPublicUrl(config, config.listen.port) : facts?.publicUrl ?? defaultPublicUrl(config, config.listen.port)
  const tls = await loadTlsMaterial(config, urlHost(publicUrl))
  const store = deps.store ?? await openStore(storeOptionsFor(config))
  try {
    const hubKey = await loadHubSigningKey(store)
    const audit = new AuditLog(store, now)
    const apiTokens = new ApiTokenService(store, audit, now)
    const enroll = new EnrollService(store, audit, now, { publicUrl: () => publicUrl, fingerprint: () => tls.fingerprint, hubKey: hubKey.publicKey })
    return {
      ...adminOps({ store, audit, apiTokens, enroll, now, adminEmail: config.adminEmail }),
      publicUrl,
      fingerprint: tls.fingerprint,
      close: async () => { if (deps.store === undefined) await store.close() }
    }
  } catch (err) {
    if (deps.store === undefined) await store.close()
    throw err
  }
}
