import type { IngestReport } from '../store.ts'

/** What the hub's thread asks the SQLite worker; `id` pairs a request with its answer. */
export type WorkerRequest =
  | { readonly id: number, readonly kind: 'ingest', readonly reports: readonly IngestReport[] }
  | { readonly id: number, readonly kind: 'close' }

/** A driver error as plain data: structured clone keeps only an Error's message and stack. */
export interface WorkerError {
  readonly name: string
  readonly message: string
  readonly stack?: string | undefined
  readonly code?: unknown
  readonly errcode?: unknown
  readonly errstr?: unknown
}

export type WorkerAnswer =
  | { readonly id: number, readonly ok: true }
  | { readonly id: number, readonly ok: false, readonly error: WorkerError }

/** What the worker is started with. */
export interface WorkerData {
  readonly file: string
}
