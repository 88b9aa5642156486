import { useCallback, useEffect, useState } from 'preact/hooks'
import { errorText } from '../api/api-error.ts'

/** A value loaded by `load`, with its error and a `reload`; stale answers are dropped. */
export interface Async<T> {
  readonly data: T | undefined
  readonly error: string | undefined
  readonly loading: boolean
  reload (): void
  /** Replaces the data in place (e.g. from a live event). */
  set (fn: (old: T | undefined) => T | undefined): void
}

/**
 * Loads on mount and whenever `deps` change. `describe` turns a failure into the text shown
 * (operation pages keep an agent error's code and explanation, see `useOpAsync`).
 */
export function useAsync<T> (load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[], describe: (err: unknown) => string = errorText): Async<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    const ac = new AbortController()
    setLoading(true)
    load(ac.signal).then(
      (v) => { if (!ac.signal.aborted) { setData(v); setError(undefined); setLoading(false) } },
      (err: unknown) => { if (!ac.signal.aborted) { setError(describe(err)); setLoading(false) } }
    )
    return () => { ac.abort() }
  // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])
  const reload = useCallback(() => setTick(t => t + 1), [])
  return { data, error, loading, reload, set: setData }
}
