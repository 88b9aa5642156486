// The SQLite ingest worker: node:sqlite is synchronous, so a batch of reports written on the hub's
// main thread would hold its event loop (TLS handshakes, pings, every other request) for as long
// as SQLite takes, the commit's fsync included. Here the batches run on a connection of their own.
import { parentPort, workerData } from 'node:worker_threads'
import { NodeSqliteDatabase } from './node-sqlite-database.ts'
import { openSqliteFile } from './sqlite-file.ts'
import { SqliteIngest } from './sqlite-ingest.ts'
import type { WorkerAnswer, WorkerData, WorkerError, WorkerRequest } from './sqlite-worker-protocol.ts'

const port = parentPort
if (port === null) throw new Error('sqlite-worker.ts runs as a worker thread only')
const database = new NodeSqliteDatabase(openSqliteFile((workerData as WorkerData).file))
const ingest = new SqliteIngest(database)

function plainError (err: unknown): WorkerError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) }
  const e = err as Error & { code?: unknown, errcode?: unknown, errstr?: unknown }
  return { name: e.name, message: e.message, stack: e.stack, code: e.code, errcode: e.errcode, errstr: e.errstr }
}

port.on('message', (req: WorkerRequest) => {
  let answer: WorkerAnswer
  try {
    if (req.kind === 'ingest') ingest.write(req.reports)
    else database.close()
    answer = { id: req.id, ok: true }
  } catch (err) {
    answer = { id: req.id, ok: false, error: plainError(err) }
  }
  port.postMessage(answer)
  if (req.kind === 'close') port.close()
})
