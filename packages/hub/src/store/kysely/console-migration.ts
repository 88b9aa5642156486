import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * 0003: the console's columns and tables. Users gain their console fields (one `alter table` per
 * column: SQLite adds one column per statement). Sessions are keyed by the SHA-256 of the cookie
 * value and go with their user.
 */
export function consoleMigration (): Migration {
  return {
    async up (db: Kysely<any>): Promise<void> {
      const columns: Array<[string, 'text' | 'bigint' | 'integer', string | number | null]> = [
        ['email', 'text', null],
        // JSON array of host group names; `[]` means every group.
        ['groups', 'text', '[]'],
        ['totp_secret', 'text', null],
        ['totp_last_step', 'bigint', null],
        ['disabled', 'integer', 0],
        ['failed_logins', 'integer', 0],
        ['failed_since', 'bigint', null],
        ['locked_until', 'bigint', null]
      ]
      for (const [name, type, dflt] of columns) {
        await db.schema.alterTable('users')
          .addColumn(name, type, (c) => (dflt === null ? c : c.notNull().defaultTo(dflt)))
          .execute()
      }

      await db.schema.createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('viewing_host_id', 'text')
        .execute()
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute()
      await db.schema.createIndex('sessions_last_seen').on('sessions').column('last_seen_at').execute()
    }
  }
}
