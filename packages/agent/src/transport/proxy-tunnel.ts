import https from 'node:https'
import type { Socket } from 'node:net'
import { AgentError, AgentErrorCode } from '../errors.ts'

// Not `import http from 'node:http'`: an ESM import of node:http builds its whole namespace,
// whose lazy `WebSocket`/`MessageEvent` getters load Node's bundled undici (about 5 MB resident
// for the life of the agent). The CommonJS view of the same module loads nothing more.
const http = process.getBuiltinModule('node:http')

/** Where to tunnel to through the proxy. */
export interface TunnelTarget {
  readonly host: string
  readonly port: number
}

/**
 * Opens a raw TCP tunnel to `target` through an HTTP CONNECT proxy (`http://[user:pass@]host:port`,
 * or `https://` for a proxy reached over TLS with normal CA checks). Resolves with the socket,
 * ready for the TLS handshake with the hub, which the proxy cannot see into.
 */
export function openProxyTunnel (proxyUrl: string, target: TunnelTarget, timeoutMs: number, extraHeaders: Readonly<Record<string, string>> = {}): Promise<Socket> {
  const proxy = new URL(proxyUrl)
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    return Promise.reject(new AgentError(AgentErrorCode.Proxy, `unsupported proxy scheme "${proxy.protocol}": use http:// or https://`))
  }
  const authority = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`
  const headers: Record<string, string> = { ...extraHeaders, host: authority }
  if (proxy.username !== '') {
    const creds = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
    headers['proxy-authorization'] = 'Basic ' + Buffer.from(creds).toString('base64')
  }
  const request = proxy.protocol === 'https:' ? https.request : http.request
  const label = `${proxy.hostname}:${proxy.port === '' ? (proxy.protocol === 'https:' ? 443 : 80) : proxy.port}`
  return new Promise((resolve, reject) => {
    const req = request({
      method: 'CONNECT',
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port === '' ? undefined : Number(proxy.port),
      path: authority,
      headers,
      agent: false,
      timeout: timeoutMs
    })
    req.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy()
        reject(new AgentError(AgentErrorCode.Proxy, `proxy ${label} refused CONNECT to ${authority}: HTTP ${res.statusCode ?? '?'}`, { details: { statusCode: res.statusCode } }))
        return
      }
      socket.setTimeout(0)
      if (head.length > 0) socket.unshift(head)
      resolve(socket)
    })
    req.once('response', (res) => {
      res.resume()
      reject(new AgentError(AgentErrorCode.Proxy, `proxy ${label} answered CONNECT with HTTP ${res.statusCode ?? '?'}`))
    })
    req.once('timeout', () => req.destroy(new AgentError(AgentErrorCode.Proxy, `proxy ${label} did not answer CONNECT within ${timeoutMs} ms`)))
    req.once('error', (cause) => {
      reject(cause instanceof AgentError ? cause : new AgentError(AgentErrorCode.Proxy, `cannot reach proxy ${label}: ${cause.message}`, { cause }))
    })
    req.end()
  })
}
