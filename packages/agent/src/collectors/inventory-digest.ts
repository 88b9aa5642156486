import { createHash } from 'node:crypto'
import { canonicalJson, type Inventory } from '@outpost/protocol'

/** A stable hash (hex SHA-256 of the canonical JSON) of an inventory, to resend it only when it changed. */
export function inventoryDigest (inv: Inventory): string {
  return createHash('sha256').update(canonicalJson(inv)).digest('hex')
}
