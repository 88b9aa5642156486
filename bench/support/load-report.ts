// Output helpers of the load benchmark: markdown lines to stdout (kept for the summary), progress
// to stderr, number formatting, and the hub process under test with restart support.
import { api } from '@outpost/testkit'
// @ts-expect-error the launcher is plain JavaScript, without declarations
import { HUB_NODE_FLAGS } from '../../bin/hub-launch.js'
import { startChildServer, type ChildServer } from './child-server.ts'

export const fmt = (n: number, d = 0): string => Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '–'
export const say = (s: string): void => { process.stdout.write(s + '\n') }
export const progress = (s: string): void => { process.stderr.write(`[load-bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`) }
export const mib = (bytes: number): string => fmt(bytes / 2 ** 20)

/** What the hub process prints when it listens. */
export interface HubInfo { url: string, fingerprint: string, adminToken: string, tokens: string[], dataDir: string, tlsDir: string }

/** Where the hub keeps its data: SQLite in its data dir, or a PostgreSQL schema. */
export interface StoreChoice { readonly kind: 'sqlite' | 'postgres', readonly url?: string, readonly schema?: string }

/** Starts the hub under test (bench-hub-server.ts) with `extra` arguments. */
export async function startHub (store: StoreChoice, extra: readonly string[]): Promise<ChildServer<HubInfo>> {
  const pg = store.kind === 'postgres' ? ['--pg', store.url!, '--schema', store.schema!] : []
  // With the flags `outpost hub` runs with (bin/hub-launch.js).
  return await startChildServer<HubInfo>('support/bench-hub-server.ts', [...pg, ...extra], HUB_NODE_FLAGS)
}

/** Deletes default alert rules that simulated hosts would trip and that measure something else (offline, load). */
export async function quietRules (hub: HubInfo): Promise<void> {
  for (const id of ['default-host-offline', 'default-relay-unreachable', 'default-load-high']) {
    const res = await api(hub.url, hub.adminToken, `/alert-rules/${id}`, { method: 'DELETE' })
    if (res.status >= 300 && res.status !== 404) throw new Error(`deleting rule ${id}: ${res.status} ${res.text}`)
  }
}
