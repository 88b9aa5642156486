import { Worker } from 'node:worker_threads'
import { HubError, HubErrorCode } from '../../errors.ts'
import type { IngestReport } from '../store.ts'
import type { WorkerAnswer, WorkerError, WorkerRequest } from './sqlite-worker-protocol.ts'

type Pending = { resolve: () => void, reject: (e: Error) => void }

/** Distributes the request over the union without repeating `id` at every call site. */
type Request = WorkerRequest extends infer R ? R extends WorkerRequest ? Omit<R, 'id'> : never : never

function rebuild (e: WorkerError): Error {
  const err = new Error(e.message) as Error & Record<string, unknown>
  err.name = e.name
  if (e.stack !== undefined) err.stack = e.stack
  for (const k of ['code', 'errcode', 'errstr'] as const) if (e[k] !== undefined) err[k] = e[k]
  return err
}

/**
 * The hub's side of the SQLite ingest worker. The worker is referenced only while a request is
 * outstanding, so an idle store never keeps the process alive (a store that is not closed behaves
 * as it did on the main thread).
 */
export class SqliteWorkerClient {
  readonly #worker: Worker
  readonly #pending = new Map<number, Pending>()
  #next = 1
  #gone: Error | undefined

  constructor (file: string) {
    this.#worker = new Worker(new URL('./sqlite-worker.ts', import.meta.url), { workerData: { file } })
    this.#worker.on('message', (a: WorkerAnswer) => { this.#settle(a) })
    this.#worker.on('error', (err) => { this.#fail(new HubError(HubErrorCode.Store, `SQLite worker failed: ${err.message}`, { cause: err })) })
    this.#worker.on('exit', (code) => { this.#fail(new HubError(HubErrorCode.Store, `SQLite worker exited (${code})`)) })
    // After the listeners: adding a 'message' listener refs the worker's port again.
    this.#worker.unref()
  }

  async ingest (reports: readonly IngestReport[]): Promise<void> {
    // The topology fields are not stored by the ingest path: no need to copy them across.
    await this.#call({ kind: 'ingest', reports: reports.map(({ link: _l, relay: _r, ...stored }) => stored) })
  }

  async close (): Promise<void> {
    if (this.#gone !== undefined) return
    await this.#call({ kind: 'close' })
    await this.#worker.terminate()
  }

  #call (req: Request): Promise<void> {
    if (this.#gone !== undefined) return Promise.reject(this.#gone)
    const id = this.#next++
    if (this.#pending.size === 0) this.#worker.ref()
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#worker.postMessage({ ...req, id })
    })
  }

  #settle (a: WorkerAnswer): void {
    const p = this.#pending.get(a.id)
    if (p === undefined) return
    this.#pending.delete(a.id)
    if (this.#pending.size === 0) this.#worker.unref()
    if (a.ok) p.resolve()
    else p.reject(rebuild(a.error))
  }

  #fail (err: Error): void {
    this.#gone ??= err
    for (const p of this.#pending.values()) p.reject(this.#gone)
    this.#pending.clear()
  }
}
