import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The test server: local PostgreSQL with trust auth for user postgres. */
export const TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
/** What to run when the test server is down. */
export const START_POSTGRES_COMMAND = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'

/** A fresh schema on the test server; `cleanup()` drops it with everything in it. */
export interface TestPostgres {
  readonly url: string
  readonly schema: string
  cleanup (): Promise<void>
}

/**
 * Creates a uniquely named, empty schema on the local test server, so that tests (and several
 * hubs within one test) can share the server without seeing each other's tables.
 */
export async function startPostgres (): Promise<TestPostgres> {
  const schema = `t_${Date.now().toString(36)}_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
  } catch (cause) {
    throw new Error(`PostgreSQL is not reachable at ${TEST_POSTGRES_URL}; start it with: ${START_POSTGRES_COMMAND}`, { cause })
  }
  try {
    await client.query(`create schema ${schema}`)
  } finally {
    await client.end()
  }
  let cleaned = false
  return {
    url: TEST_POSTGRES_URL,
    schema,
    async cleanup () {
      if (cleaned) return
      cleaned = true
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL })
      await c.connect()
      try {
        await c.query(`drop schema if exists ${schema} cascade`)
      } finally {
        await c.end()
      }
    }
  }
}
