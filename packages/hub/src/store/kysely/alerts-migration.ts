import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * 0004: the alert engine's tables. `alerts_one_open` is a partial unique index: at most one
 * firing or acknowledged alert per (rule, host), enforced by the database, so hub replicas that
 * evaluate the same host at once cannot both open one. Alerts keep the rule's and host's names
 * and have no foreign keys, so history outlives a deleted rule or host.
 */
export function alertsMigration (kind: 'sqlite' | 'postgres'): Migration {
  const json = kind === 'postgres' ? 'jsonb' : 'text'
  return {
    async up (db: Kysely<any>): Promise<void> {
      await db.schema.createTable('alert_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('scope', json, (c) => c.notNull())
        .addColumn('condition', json, (c) => c.notNull())
        .addColumn('notify', json, (c) => c.notNull())
        .addColumn('repeat_interval_ms', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute()

      await db.schema.createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('rule_name', 'text', (c) => c.notNull())
        .addColumn('host_id', 'text', (c) => c.notNull())
        .addColumn('host_name', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('metric', 'text')
        .addColumn('value', 'double precision')
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('acknowledged_at', 'bigint')
        .addColumn('acknowledged_by', 'text')
        .addColumn('resolved_at', 'bigint')
        .addColumn('last_notified_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('alerts_one_open').on('alerts').columns(['rule_id', 'host_id']).unique()
        .where(sql.ref('state'), 'in', ['firing', 'acknowledged']).execute()
      await db.schema.createIndex('alerts_host_started').on('alerts').columns(['host_id', 'started_at']).execute()
      await db.schema.createIndex('alerts_state_started').on('alerts').columns(['state', 'started_at']).execute()

      await db.schema.createTable('silences')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('scope', json, (c) => c.notNull())
        .addColumn('rule_id', 'text')
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('silences_ends').on('silences').column('ends_at').execute()

      // Written in the transaction that changes the alert; drained to the notifier. A claimed row
      // whose replica died is claimed again after a lease (at-least-once delivery).
      await db.schema.createTable('alert_notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('alert_id', 'text', (c) => c.notNull())
        .addColumn('payload', json, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('claimed_at', 'bigint')
        .execute()
      await db.schema.createIndex('alert_notifications_created').on('alert_notifications').column('created_at').execute()
    }
  }
}
