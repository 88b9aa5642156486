/** Bytes for people: `1.5 GiB`. */
export function bytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i] ?? 'B'}`
}

/** A duration in seconds for people: `3 d 4 h`, `5 min`. */
export function duration (s: number): string {
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d > 0) return `${d} d ${h} h`
  if (h > 0) return `${h} h ${m} min`
  return `${m} min`
}

/** "5 min ago" from an ISO time, relative to `now`. */
export function ago (iso: string | null, now = Date.now()): string {
  if (iso === null) return 'never'
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (s < 60) return `${s} s ago`
  return `${duration(s)} ago`
}

/** Local date and time, short. */
export function when (iso: string | null): string {
  return iso === null ? '—' : new Date(iso).toLocaleString()
}
