import { exportPrivateKeyPem, generateSigningKeyPair, importPrivateKeyPem, type SigningKeyPair } from '@outpost/protocol'
import type { Store } from '../store/store.ts'

/** Settings key of the hub's instruction-signing key (PKCS#8 PEM). */
export const HUB_SIGNING_KEY_SETTING = 'hub.instructionKey'

/**
 * Loads the Ed25519 key that signs instructions, making it on first start. It lives in the store
 * (first writer wins) so that every replica signs with the same key the agents pinned.
 */
export async function loadHubSigningKey (store: Store): Promise<SigningKeyPair> {
  const existing = await store.getSetting(HUB_SIGNING_KEY_SETTING)
  if (existing !== undefined) return importPrivateKeyPem(existing)
  const fresh = generateSigningKeyPair()
  const stored = await store.putSettingIfAbsent(HUB_SIGNING_KEY_SETTING, exportPrivateKeyPem(fresh.privateKey))
  return importPrivateKeyPem(stored)
}
