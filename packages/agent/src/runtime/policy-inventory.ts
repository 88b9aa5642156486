import type { InventoryPolicy } from '@outpost/protocol'
import { DEFAULT_POLICY, type Policy } from '../policy/policy-schema.ts'
import type { AgentCollectors } from './collectors.ts'

/** The policy as the inventory reports it; `file` is null when the built-in defaults apply. */
export function inventoryPolicy (policy: Policy, file: string | null): InventoryPolicy {
  return {
    file: policy === DEFAULT_POLICY ? null : file,
    protectedPaths: [...policy.protectedPaths],
    exec: typeof policy.exec === 'string' ? policy.exec : { allow: [...policy.exec.allow] },
    operations: [...policy.operations],
    maxUploadBytes: policy.maxUploadBytes
  }
}

/**
 * Adds the local policy to every inventory, so that the hub can show what this host allows.
 * Read-only by construction: no instruction changes the policy, which is read once at start.
 */
export function withPolicyInInventory (collectors: AgentCollectors, policy: InventoryPolicy): AgentCollectors {
  return {
    ...collectors,
    collectInventory: async () => ({ ...await collectors.collectInventory(), policy })
  }
}
