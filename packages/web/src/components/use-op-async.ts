import { useCallback, useEffect, useState } from 'preact/hooks'
import type { Async } from './use-async.ts'
import { opErrorText } from '../model/op-errors.ts'


/** Like `useAsync`, but errors keep their code and explanation (agent errors matter on operation pages). */
export function useOpAsync<T> (load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Async<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    const ac = new AbortController()
    setLoading(true)
    load(ac.signal).then(
      (v) => { if (!ac.signal.aborted) { setData(v); setError(undefined); setLoading(false) } },
      (err: unknown) => { if (!ac.signal.aborted) { setError(opErrorText(err)); setLoading(false) } }
    )
    return () => { ac.abort() }
  // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])
  const reload = useCallback(() => setTick(t => t + 1), [])
  return { data, error, loading, reload, set: setData }
}
