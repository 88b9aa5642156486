import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { createHub, parseHubConfig, type Hub, type HubConfigInput, type HubDeps } from '@outpost/hub'
import { startPostgres } from './postgres.ts'

/** A started hub on 127.0.0.1 with a temporary data directory. */
export interface TestHub {
  readonly hub: Hub
  /** `https://127.0.0.1:PORT`. */
  readonly url: string
  readonly dataDir: string
  /** SHA-256 of the hub certificate, for pinning. */
  readonly fingerprint: string
  /** An admin API token. */
  readonly adminToken: string
  /** Log lines the hub wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>
  /** A fresh single-use enrollment token. */
  enrollToken (group?: string): Promise<string>
  /** Closes the hub, drops its PostgreSQL schema if it had one, removes the data directory. */
  cleanup (): Promise<void>
}

/** What `startHub` may change. */
export interface StartHubOptions {
  /** Config overrides (`dataDir` and `listen` are the kit's unless given). */
  readonly config?: Partial<HubConfigInput>
  readonly deps?: Omit<HubDeps, 'logger'>
  /** Use a fresh PostgreSQL schema instead of the SQLite file. */
  readonly postgres?: boolean
  /** Reuse this data directory (e.g. to restart a hub on the same data); not removed by cleanup. */
  readonly dataDir?: string
}

/** Starts a real hub (real store, real HTTPS on a random loopback port). */
export async function startHub (options: StartHubOptions = {}): Promise<TestHub> {
  const ownDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-hub-'))
  const pg = options.postgres === true ? await startPostgres() : undefined
  const logs: Array<Record<string, unknown>> = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>) } })
  const config = parseHubConfig({
    dataDir,
    listen: { host: '127.0.0.1', port: 0 },
    ...(pg === undefined ? {} : { store: { kind: 'postgres' as const, url: pg.url, schema: pg.schema } }),
    ...options.config
  })
  const hub = createHub(config, { ...options.deps, logger })
  const cleanup = async (): Promise<void> => {
    await hub.close()
    await pg?.cleanup()
    if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    const { url } = await hub.listen()
    const adminToken = await hub.createApiToken({ name: 'test-admin', role: 'admin' })
    return {
      hub, url, dataDir, adminToken, logs, cleanup,
      fingerprint: hub.fingerprint,
      enrollToken: (group = 'default') => hub.createEnrollToken({ ttlMs: 600_000, group, createdBy: 'testkit' })
    }
  } catch (err) {
    await cleanup()
    throw err
  }
}
