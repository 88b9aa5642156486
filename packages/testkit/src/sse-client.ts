import https from 'node:https'
import type { IncomingHttpHeaders } from 'node:http'

/** One parsed Server-Sent Event (its `data` JSON-parsed). */
export interface SseEvent {
  readonly event: string
  readonly data: any
}

/** An open (or refused) Server-Sent Events request. */
export interface SseStream {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  /** The answer's body when the hub refused (status ≠ 200), parsed when JSON. */
  readonly refusal: any
  /** Every event received so far, in order. */
  readonly events: readonly SseEvent[]
  /** Waits (at most `timeoutMs`) for a received event matching `pred`. */
  next (pred: (e: SseEvent) => boolean, what: string, timeoutMs?: number): Promise<SseEvent>
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>
  close (): void
}

/** GETs `path` of a hub as an event stream (its self-signed certificate accepted). */
export function openSse (hubUrl: string, path: string, headers: Record<string, string>): Promise<SseStream> {
  const u = new URL(path, hubUrl)
  return new Promise((resolve, reject) => {
    const req = https.request(u, { method: 'GET', headers: { accept: 'text/event-stream', ...headers }, rejectUnauthorized: false, agent: false }, (res) => {
      const events: SseEvent[] = []
      const waiters = new Set<() => void>()
      let buf = ''
      let raw = ''
      res.setEncoding('utf8')
      const ended = new Promise<void>((resolveEnd) => { res.once('end', resolveEnd); res.once('close', resolveEnd) })
      res.on('data', (chunk: string) => {
        if (res.statusCode !== 200) { raw += chunk; return }
        buf += chunk
        let i
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i)
          buf = buf.slice(i + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) })
        }
        for (const w of [...waiters]) w()
      })
      const stream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        refusal: undefined as unknown,
        events,
        ended,
        close: () => { req.destroy() },
        next: (pred: (e: SseEvent) => boolean, what: string, timeoutMs = 30_000) => new Promise<SseEvent>((resolveNext, rejectNext) => {
          const check = (): void => {
            const found = events.find(pred)
            if (found === undefined) return
            clearTimeout(timer)
            waiters.delete(check)
            resolveNext(found)
          }
          const timer = setTimeout(() => { waiters.delete(check); rejectNext(new Error(`no event: ${what}`)) }, timeoutMs)
          waiters.add(check)
          check()
        })
      }
      if (res.statusCode === 200) { resolve(stream); return }
      void ended.then(() => {
        try { stream.refusal = JSON.parse(raw) } catch { stream.refusal = raw } // not JSON: kept as text
        resolve(stream)
      })
    })
    req.on('error', reject)
    req.end()
  })
}
