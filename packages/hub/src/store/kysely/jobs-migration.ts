import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * 0007: jobs (one action sent to many hosts) and their hosts. Each job host gets its command id
 * when the job is created, so that the command's primary key makes starting a host happen at most
 * once, whichever hub replica (or retry after a crash) does it. Job hosts keep the host's name
 * and group and have no foreign key to `agents`, so that history outlives a host; the group is
 * what host-group scoping filters on.
 */
export function jobsMigration (kind: 'sqlite' | 'postgres'): Migration {
  const json = kind === 'postgres' ? 'jsonb' : 'text'
  return {
    async up (db: Kysely<any>): Promise<void> {
      await db.schema.createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        // scheduled | running | cancelled; `finished` is derived from the hosts' states.
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('action', json, (c) => c.notNull())
        // When the job was last claimed for starting: a start that stalls (a replica died) is
        // taken over once this is old enough.
        .addColumn('started_at', 'bigint')
        .addColumn('cancelled_at', 'bigint')
        // Set once by whichever replica announces the expiry, so it is announced once.
        .addColumn('expiry_noted', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.schema.createIndex('jobs_state_run_at').on('jobs').columns(['state', 'run_at']).execute()
      await db.schema.createIndex('jobs_created').on('jobs').columns(['created_at', 'id']).execute()

      await db.schema.createTable('job_hosts')
        .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
        .addColumn('host_id', 'text', (c) => c.notNull())
        .addColumn('host_name', 'text', (c) => c.notNull())
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('command_id', 'text', (c) => c.notNull().unique())
        // pending (follows its command) | cancelled | failed (the hub could not queue it) | expired (before it started)
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('error', json)
        .addPrimaryKeyConstraint('job_hosts_pk', ['job_id', 'host_id'])
        .execute()
    }
  }
}
