/**
 * Measures the store's ingest path: metric values stored per second on SQLite and PostgreSQL,
 * with the hub's shape of work (reports of 40 metrics, group-committed 500 per call).
 * Run: node bench/store-ingest-bench.ts [batches]   (PostgreSQL at 127.0.0.1:5432, trust auth)
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openStore, type IngestReport, type StoreOptions } from '@outpost/hub'
import { startPostgres } from '@outpost/testkit'

const AGENTS = 500
const METRICS_PER_REPORT = 40
const REPORTS_PER_BATCH = 500
const BATCHES = Number(process.argv[2] ?? 40)

async function bench (label: string, where: StoreOptions): Promise<void> {
  const store = await openStore(where)
  try {
    for (let i = 0; i < AGENTS; i++) {
      await store.createEnrollToken({ id: `t${i}`, secretHash: 'h', group: 'bench', expiresAt: Number.MAX_SAFE_INTEGER, createdAt: 0, createdBy: 'bench' })
      await store.enrollAgent(`t${i}`, 'h', { id: `agent-${i}`, name: `host-${i}`, publicKey: `pk-${i}`, enrolledAt: 0 })
    }
    const names = Array.from({ length: METRICS_PER_REPORT }, (_, i) => `bench.metric_${i}`)
    const batch = (b: number): IngestReport[] => Array.from({ length: REPORTS_PER_BATCH }, (_, r) => {
      const time = 1_700_000_000_000 + b * 10_000
      return { agentId: `agent-${r % AGENTS}`, seq: b + 1, time, receivedAt: time, events: [], metrics: names.map((name) => ({ name, value: Math.random() * 100 })) }
    })
    await store.ingestReports(batch(0)) // warm-up: creates the series
    let values = 0
    const started = process.hrtime.bigint()
    for (let b = 1; b <= BATCHES; b++) {
      const reports = batch(b)
      await store.ingestReports(reports)
      values += reports.length * METRICS_PER_REPORT
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const perCall = (seconds * 1000 / BATCHES).toFixed(1)
    process.stdout.write(`${label}: ${Math.round(values / seconds).toLocaleString('en')} values/s (${values} values in ${BATCHES} batches, ${perCall} ms per batch)\n`)
  } finally {
    await store.close()
  }
}

async function main (): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-bench-'))
  try {
    await bench('sqlite  ', { kind: 'sqlite', file: path.join(dir, 'hub.db') })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const pg = await startPostgres()
  try {
    await bench('postgres', { kind: 'postgres', url: pg.url, schema: pg.schema })
  } finally {
    await pg.cleanup()
  }
}

await main()
