import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'

/** Where the app is: path and query of `location`. */
export interface Location {
  readonly path: string
  readonly search: URLSearchParams
}

const read = (): Location => ({ path: window.location.pathname, search: new URLSearchParams(window.location.search) })
const listeners = new Set<() => void>()

/** Goes to `to` (a same-origin path with optional query) without reloading. */
export function navigate (to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace === true) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  window.scrollTo(0, 0)
  for (const fn of [...listeners]) fn()
}

window.addEventListener('popstate', () => { for (const fn of [...listeners]) fn() })

/** The current location; re-renders on navigation. */
export function useLocation (): Location {
  const [loc, setLoc] = useState(read)
  useEffect(() => {
    const fn = (): void => setLoc(read())
    listeners.add(fn)
    return () => { listeners.delete(fn) }
  }, [])
  return loc
}

/** An `<a>` that navigates in-app on a plain click and behaves as a link otherwise (new tab, copy). */
export function Link (props: { href: string, class?: string, children: ComponentChildren, 'aria-current'?: 'page' | undefined, 'aria-label'?: string }) {
  const onClick = (e: MouseEvent): void => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(props.href)
  }
  return <a {...props} onClick={onClick}>{props.children}</a>
}
