import type { Selectable } from 'kysely'
import type { AgentEvent, CommandState, Inventory, InstructionBody, Role, StatusSnapshot, WireError } from '@outpost/protocol'
import type { AgentRecord, ApiTokenRecord, AuditRecord, CommandRecord, HostSummaryRecord, UserRecord } from '../store.ts'
import type { DbSchema, JsonCodec } from './db-schema.ts'

// The casts below are the one place where rows become records. Every value was validated
// against its protocol schema before the hub stored it, and only the store writes these tables.

/** users row → record. */
export function toUser (r: Selectable<DbSchema['users']>): UserRecord {
  return { id: r.id, name: r.name, passwordHash: r.password_hash, role: r.role as Role, createdAt: Number(r.created_at) }
}

/** api_tokens row → record. */
export function toApiToken (r: Selectable<DbSchema['api_tokens']>): ApiTokenRecord {
  return {
    id: r.id, name: r.name, tokenHash: r.token_hash, role: r.role as Role, userId: r.user_id,
    createdAt: Number(r.created_at), lastUsedAt: nullableNumber(r.last_used_at)
  }
}

/** agents row → record. */
export function toAgent (r: Selectable<DbSchema['agents']>, json: JsonCodec): AgentRecord {
  return {
    id: r.id,
    name: r.name,
    group: r.group_name,
    publicKey: r.public_key,
    enrolledAt: Number(r.enrolled_at),
    lastSeen: nullableNumber(r.last_seen),
    inventory: json.decode(r.inventory) as Inventory | null,
    inventoryAt: nullableNumber(r.inventory_at),
    snapshot: json.decode(r.snapshot) as StatusSnapshot | null,
    snapshotAt: nullableNumber(r.snapshot_at),
    os: r.os
  }
}

/** The summary columns of an agents row → record. */
export function toHostSummary (r: Pick<Selectable<DbSchema['agents']>, 'id' | 'name' | 'group_name' | 'enrolled_at' | 'last_seen' | 'os'>): HostSummaryRecord {
  return { id: r.id, name: r.name, group: r.group_name, enrolledAt: Number(r.enrolled_at), lastSeen: nullableNumber(r.last_seen), os: r.os }
}

/** commands row → record. */
export function toCommand (r: Selectable<DbSchema['commands']>, json: JsonCodec): CommandRecord {
  return {
    id: r.id,
    agentId: r.agent_id,
    issuer: r.issuer,
    body: json.decode(r.body) as InstructionBody,
    nonce: r.nonce,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    status: r.status as CommandState,
    sentAt: nullableNumber(r.sent_at),
    finishedAt: nullableNumber(r.finished_at),
    exitCode: nullableNumber(r.exit_code),
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr,
    truncated: Number(r.truncated) !== 0,
    error: json.decode(r.error) as WireError | null
  }
}

/** events row → the event as the agent sent it. */
export function toEvent (r: { event: unknown }, json: JsonCodec): AgentEvent {
  return json.decode(r.event) as AgentEvent
}

/** audit row → record. */
export function toAudit (r: Selectable<DbSchema['audit']>, json: JsonCodec): AuditRecord {
  return {
    id: Number(r.id),
    time: Number(r.time),
    actor: r.actor,
    action: r.action,
    target: r.target,
    result: r.result,
    detail: json.decode(r.detail) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash
  }
}

function nullableNumber (v: number | null): number | null {
  return v === null ? null : Number(v)
}
