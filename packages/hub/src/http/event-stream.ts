import type { ServerResponse } from 'node:http'
import { SECURITY_HEADERS } from './security-headers.ts'

/**
 * Takes over `res` as a Server-Sent Events stream: the security headers, no caching, and no
 * buffering by a reverse proxy (`x-accel-buffering`), so each event reaches the client at once.
 */
export function startEventStream (res: ServerResponse): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no'
  })
}

/** One event as it goes on the wire: its name and its payload as one line of JSON. */
export function eventFrame (event: string, payload: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`
}
