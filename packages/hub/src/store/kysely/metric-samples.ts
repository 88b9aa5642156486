import { createHash } from 'node:crypto'
import type { Metric } from '@outpost/protocol'

/**
 * Metric storage layout, shared by both backends. One report's values are ONE row of
 * `metric_samples` (agent, time, seq, names_id, values_blob): the values packed as Float64
 * little-endian, 8 bytes each, in the order of the report's metric names. The ordered list of
 * names (a "name set") is stored once in `metric_name_sets` and referred to by id; an agent sends
 * the same set almost every time. `metric_name_set_members` lists each set's names with their
 * index, so that a query for one name picks its 8 bytes in SQL and skips rows whose set lacks it.
 */

/** Bytes per packed value. */
export const VALUE_BYTES = 8
/** Forget cached name-set ids past this many (they are re-read on the next miss). */
export const NAME_SET_CACHE_MAX = 20_000

/** A report's name set: its key (JSON array of the names, in order) and the members to store. */
export interface NameSet {
  /** JSON array of the names, in report order; unambiguous whatever the names contain. */
  readonly names: string
  /** SHA-256 hex of `names`: the unique column (a set can be too long for a b-tree key on PostgreSQL). */
  readonly hash: string
  /** Each distinct name with its index; a name given twice points at its last value, as in the latest values. */
  readonly members: ReadonlyArray<readonly [name: string, index: number]>
}

/** The cache key of a report's name set. */
export function nameSetKey (metrics: readonly Metric[]): string {
  const names = new Array<string>(metrics.length)
  for (let i = 0; i < metrics.length; i++) names[i] = metrics[i]!.name
  return JSON.stringify(names)
}

/** What is stored for the name set whose key is `key` (see `nameSetKey`). */
export function nameSetOf (key: string): NameSet {
  const list = JSON.parse(key) as string[]
  const index = new Map<string, number>()
  list.forEach((name, i) => index.set(name, i))
  return { names: key, hash: createHash('sha256').update(key).digest('hex'), members: [...index] }
}

/** The values of a report packed for `values_blob`. */
export function packValues (metrics: readonly Metric[]): Buffer {
  const buf = Buffer.allocUnsafe(metrics.length * VALUE_BYTES)
  for (let i = 0; i < metrics.length; i++) buf.writeDoubleLE(metrics[i]!.value, i * VALUE_BYTES)
  return buf
}

/** Reads the value the query cut out of a `values_blob` (exactly `VALUE_BYTES` bytes). */
export function unpackValue (bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, VALUE_BYTES).getFloat64(0, true)
}

/**
 * Name-set key → id, for committed sets only. Ids found during a transaction are kept apart
 * (`pending`) and remembered after the commit: a rolled-back batch must not leave ids that do
 * not exist.
 */
export class NameSetCache {
  readonly #ids = new Map<string, number>()

  get (key: string): number | undefined {
    return this.#ids.get(key)
  }

  /** Remembers the ids a committed transaction used. */
  remember (pending: ReadonlyMap<string, number>): void {
    if (this.#ids.size + pending.size > NAME_SET_CACHE_MAX) this.#ids.clear()
    for (const [k, v] of pending) this.#ids.set(k, v)
  }
}
