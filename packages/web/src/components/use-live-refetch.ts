import { useEffect } from 'preact/hooks'
import { useApp } from '../app/app-context.ts'

/** Live host events closer together than this cause one reload, not one each. */
export const LIVE_REFETCH_GAP_MS = 2000
/** A reload this often even without events (a feed that was down a while missed some). */
export const REFETCH_EVERY_MS = 30_000

/**
 * Reloads a view built by the hub from many hosts (such as the relays) when any host changes.
 * The live feed carries host summaries, not that view, so each burst of `host` events leads to
 * one refetch, at most one per `LIVE_REFETCH_GAP_MS`.
 */
export function useLiveRefetch (reload: () => void): void {
  const { live } = useApp()
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | undefined
    const off = live.subscribe(e => {
      if (e.type !== 'host' || pending !== undefined) return
      pending = setTimeout(() => { pending = undefined; reload() }, LIVE_REFETCH_GAP_MS)
    })
    const every = setInterval(reload, REFETCH_EVERY_MS)
    return () => {
      off()
      clearInterval(every)
      if (pending !== undefined) clearTimeout(pending)
    }
  }, [live, reload])
}
