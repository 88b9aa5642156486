import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * 0006: `live_sessions`, one row per terminal session relayed by the hub: who opened it on which
 * host, its state, and where its asciicast recording lies. No foreign key to `agents`, so that
 * the history (and the audit trail it matches) outlives a removed host.
 */
export function sessionsMigration (): Migration {
  return {
    async up (db: Kysely<any>): Promise<void> {
      await db.schema.createTable('live_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('command_id', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('cols', 'integer', (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addColumn('exit_code', 'integer')
        .addColumn('close_reason', 'text')
        .addColumn('recording_path', 'text', (c) => c.notNull())
        .addColumn('recording_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.schema.createIndex('live_sessions_agent_state').on('live_sessions').columns(['agent_id', 'state']).execute()
      await db.schema.createIndex('live_sessions_created').on('live_sessions').column('created_at').execute()
    }
  }
}
