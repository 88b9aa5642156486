import type { CreateTableBuilder } from 'kysely'

/** Adds an auto-incrementing primary key in each dialect's own idiom. */
export function withSerialId (table: CreateTableBuilder<string, never>, kind: 'sqlite' | 'postgres'): CreateTableBuilder<string, 'id'> {
  return kind === 'postgres'
    ? table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    // AUTOINCREMENT: ids are never reused, which the audit chain and event order rely on.
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
}
