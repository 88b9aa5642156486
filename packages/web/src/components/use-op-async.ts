import { useAsync, type Async } from './use-async.ts'
import { opErrorText } from '../model/op-errors.ts'

/** Like `useAsync`, but errors keep their code and explanation (agent errors matter on operation pages). */
export function useOpAsync<T> (load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Async<T> {
  return useAsync(load, deps, opErrorText)
}
