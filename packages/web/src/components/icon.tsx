/**
 * Icons drawn as inline SVG (24×24, current text colour), so they look the same on every device
 * and need no font with emoji. Always decorative: the word next to an icon carries the meaning.
 */
const PATHS = {
  critical: 'M8.3 2h7.4L22 8.3v7.4L15.7 22H8.3L2 15.7V8.3zM11 6v8h2V6zm0 10v2h2v-2z',
  warning: 'M12 2 1 21h22zm-1 7h2v6h-2zm0 8h2v2h-2z',
  offline: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM6.3 7.7l1.4-1.4 10 10-1.4 1.4z',
  unknown: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1 15h2v2h-2zm1-12a4 4 0 0 1 2 7.5c-.7.4-1 .8-1 1.5h-2c0-1.5.7-2.4 1.8-3.1A2 2 0 1 0 10 9H8a4 4 0 0 1 4-4z',
  ok: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z',
  info: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1 8h2v8h-2zm0-4h2v2h-2z',
  hosts: 'M3 3h8v8H3zm10 0h8v8h-8zM3 13h8v8H3zm10 0h8v8h-8z',
  relays: 'M9 2h6v5H9zm2 5h2v4h-2zM4 11h16v2H4zm0 2h2v4H4zm14 0h2v4h-2zM2 17h6v5H2zm14 0h6v5h-6z',
  alerts: 'M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.8V3h-3v1.2A7 7 0 0 0 5 11v5l-2 2v1h18v-1z',
  audit: 'M4 5h16v2H4zm0 6h16v2H4zm0 6h10v2H4z',
  rules: 'M3 5h4v4H3zm6 1h12v2H9zM3 11h4v4H3zm6 1h12v2H9zm-6 5h4v4H3zm6 1h12v2H9z',
  jobs: 'M4 4h16v4H4zm0 6h10v4H4zm0 6h13v4H4zm15-6 3 2-3 2z',
  lock: 'M12 2a5 5 0 0 0-5 5v3H5v12h14V10h-2V7a5 5 0 0 0-5-5zm-3 5a3 3 0 0 1 6 0v3H9zm2 7h2v4h-2z',
  users: 'M12 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zm0 2c-4.4 0-9 2.2-9 5v3h18v-3c0-2.8-4.6-5-9-5z'
} as const

export type IconName = keyof typeof PATHS

/** A decorative icon. */
export function Icon (props: { name: IconName, class?: string }) {
  return (
    <svg class={props.class ?? 'icon'} viewBox="0 0 24 24" width="1em" height="1em" fill="currentColor" aria-hidden="true" focusable="false">
      <path d={PATHS[props.name]} />
    </svg>
  )
}
