import type { Generated } from 'kysely'

/**
 * The tables as Kysely sees them. Times are integer milliseconds since the epoch (`bigint` on
 * PostgreSQL, parsed back to `number`). JSON columns are `text` on SQLite and `jsonb` on
 * PostgreSQL; they are written as JSON text and read through `JsonCodec`, hence `unknown`.
 */
export interface DbSchema {
  settings: { key: string, value: string }
  users: { id: string, name: string, password_hash: string, role: string, created_at: number }
  api_tokens: { id: string, name: string, token_hash: string, role: string, user_id: string | null, created_at: number, last_used_at: number | null }
  enroll_tokens: {
    id: string, secret_hash: string, group_name: string, expires_at: number, created_at: number
    created_by: string, used_at: number | null, used_by: string | null
  }
  agents: {
    id: string, name: string, group_name: string, public_key: string, enrolled_at: number, last_seen: number | null
    inventory: unknown, inventory_at: number | null, snapshot: unknown, snapshot_at: number | null
    /** Derived from `inventory` on every write of it (see `osLabel`), so host lists need not read the inventory. */
    os: string
  }
  /** The latest value of each metric of an agent, apart from `agents` so that storing them never rewrites the inventory. */
  agent_metrics: { agent_id: string, metrics: unknown, metrics_at: number }
  receipts: { agent_id: string, seq: number, received_at: number }
  /** Layout: see `metric-samples.ts`. */
  metric_name_sets: { id: Generated<number>, hash: string, names: string }
  metric_name_set_members: { set_id: number, name: string, idx: number }
  metric_samples: { agent_id: string, time: number, seq: number, names_id: number, values_blob: Uint8Array }
  events: { id: Generated<number>, agent_id: string, time: number, severity: string, event: unknown }
  commands: {
    id: string, agent_id: string, issuer: string, body: unknown, nonce: string, created_at: number, expires_at: number
    status: string, sent_at: number | null, finished_at: number | null, exit_code: number | null, signal: string | null
    stdout: string, stderr: string, truncated: number, error: unknown
  }
  audit: {
    id: Generated<number>, time: number, actor: string, action: string, target: string, result: string
    detail: unknown, prev_hash: string, hash: string
  }
}

/** Reads JSON columns back: SQLite hands back the text, `pg` has already parsed `jsonb`. */
export interface JsonCodec {
  decode (column: unknown): unknown
}

/** The codec for a dialect. */
export function jsonCodec (kind: 'sqlite' | 'postgres'): JsonCodec {
  return kind === 'sqlite'
    ? { decode: (c) => (typeof c === 'string' ? JSON.parse(c) : null) }
    : { decode: (c) => c ?? null }
}
