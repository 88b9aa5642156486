import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
import { withSerialId } from './migration-helpers.ts'
import { metricSamples } from './metric-samples-migration.ts'
import { consoleMigration } from './console-migration.ts'
import { alertsMigration } from './alerts-migration.ts'
import { agentOsMigration } from './agent-os-migration.ts'
import { jobsMigration } from './jobs-migration.ts'
import { sessionsMigration } from './sessions-migration.ts'
import { topologyMigration } from './topology-migration.ts'

/** The dialect-specific column types; everything else is written once for both. */
interface Types {
  /** JSON documents: `jsonb` lets PostgreSQL check and query them; SQLite keeps text. */
  readonly json: 'jsonb' | 'text'
}

function initial (kind: 'sqlite' | 'postgres'): Migration {
  const t: Types = { json: kind === 'postgres' ? 'jsonb' : 'text' }
  return {
    async up (db: Kysely<any>): Promise<void> {
      await db.schema.createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute()

      await db.schema.createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()

      await db.schema.createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .execute()

      await db.schema.createTable('enroll_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('used_by', 'text')
        .execute()

      await db.schema.createTable('agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull().unique())
        .addColumn('enrolled_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen', 'bigint')
        .addColumn('inventory', t.json)
        .addColumn('inventory_at', 'bigint')
        .addColumn('snapshot', t.json)
        .addColumn('snapshot_at', 'bigint')
        .addColumn('metrics', t.json)
        .addColumn('metrics_at', 'bigint')
        .execute()

      // The primary key is the de-duplication of (agent, sequence): a replayed report conflicts.
      await db.schema.createTable('receipts')
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('receipts_pk', ['agent_id', 'seq'])
        .execute()

      // Points refer to a small integer series id instead of repeating (agent, name): the
      // index stays a fraction of the size and inserts run about 4x faster on SQLite.
      await withSerialId(db.schema.createTable('metric_series'), kind)
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addUniqueConstraint('metric_series_agent_name', ['agent_id', 'name'])
        .execute()

      // No foreign key on the hot table: series ids only come from metric_series via the
      // ingest path, and the check would cost a lookup per value.
      if (kind === 'sqlite') {
        // WITHOUT ROWID: the rows live in the (series, time) b-tree itself, one b-tree insert per
        // value instead of a table and an index. `value` is part of the key only to keep it
        // unique: an exact duplicate point (same series, time and value) carries nothing new.
        await db.schema.createTable('metric_points')
          .addColumn('series_id', 'integer', (c) => c.notNull())
          .addColumn('time', 'bigint', (c) => c.notNull())
          .addColumn('value', 'double precision', (c) => c.notNull())
          .addPrimaryKeyConstraint('metric_points_pk', ['series_id', 'time', 'value'])
          .modifyEnd(sql`without rowid`)
          .execute()
      } else {
        await db.schema.createTable('metric_points')
          .addColumn('series_id', 'integer', (c) => c.notNull())
          .addColumn('time', 'bigint', (c) => c.notNull())
          .addColumn('value', 'double precision', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('metric_points_series_time').on('metric_points').columns(['series_id', 'time']).execute()
      }

      await withSerialId(db.schema.createTable('events'), kind)
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('event', t.json, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('events_agent_time').on('events').columns(['agent_id', 'time']).execute()

      await db.schema.createTable('commands')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('body', t.json, (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('exit_code', 'integer')
        .addColumn('signal', 'text')
        .addColumn('stdout', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('stderr', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('truncated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', t.json)
        .execute()
      await db.schema.createIndex('commands_agent_status').on('commands').columns(['agent_id', 'status', 'created_at']).execute()

      await withSerialId(db.schema.createTable('audit'), kind)
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('detail', t.json, (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute()
      // The audit log is append-only: refuse changes in the database itself, not only in code.
      if (kind === 'postgres') {
        await sql`create function audit_append_only() returns trigger language plpgsql as $$
          begin raise exception 'audit is append-only'; end $$`.execute(db)
        await sql`create trigger audit_no_change before update or delete on audit
          for each row execute function audit_append_only()`.execute(db)
      } else {
        await sql`create trigger audit_no_update before update on audit
          begin select raise(abort, 'audit is append-only'); end`.execute(db)
        await sql`create trigger audit_no_delete before delete on audit
          begin select raise(abort, 'audit is append-only'); end`.execute(db)
      }
    }
  }
}

/**
 * Every migration, in order, defined in code so that the hub ships as plain files with nothing
 * to locate on disk. Names sort lexically; never rename or edit one that has shipped.
 */
export function migrations (kind: 'sqlite' | 'postgres'): Record<string, Migration> {
  return {
    '0001_initial': initial(kind),
    '0002_metric_samples': metricSamples(kind),
    '0003_console': consoleMigration(),
    '0004_alerts': alertsMigration(kind),
    '0005_agent_os': agentOsMigration(kind),
    '0006_live_sessions': sessionsMigration(),
    '0007_jobs': jobsMigration(kind),
    '0008_topology': topologyMigration(kind)
  }
}
