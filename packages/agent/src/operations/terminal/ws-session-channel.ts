import WebSocket from 'ws'
import { HubPath, SessionControl, parseJson } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import { hubUrl, signedHeaders, type HubLink } from '../../transport/hub-link.ts'
import type { ChannelHandlers, SessionChannel } from './session-channel.ts'

/** Connect and upgrade within this. */
export const SESSION_WS_HANDSHAKE_MS = 15_000
/** Largest frame the hub may send. */
const MAX_FRAME_BYTES = 1024 * 1024

/**
 * Dials `/agent/v1/sessions/{id}` through the pinned connector (so the pin and any CONNECT proxy
 * apply); the upgrade request carries the request signature over an empty body. Resolves once
 * upgraded; rejects when the hub refuses or cannot be reached.
 */
export function openWsChannel (link: HubLink, sessionId: string, h: ChannelHandlers): Promise<SessionChannel> {
  const url = hubUrl(link.hubUrl, `${HubPath.AgentSessions}/${sessionId}`)
  url.protocol = 'wss:'
  const headers = signedHeaders(link, 'GET', url.pathname, '')
  const ws = new WebSocket(url, { agent: link.agent, headers, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES, handshakeTimeout: SESSION_WS_HANDSHAKE_MS })
  return new Promise((resolve, reject) => {
    let open = false
    let closed = false
    const finish = (reason: string): void => {
      if (closed) return
      closed = true
      h.closed(reason)
    }
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => { if (chunks.length < 16) chunks.push(c) })
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8').slice(0, 500)
        reject(new AgentError(AgentErrorCode.HubRefused, `hub refused the session socket (${res.statusCode ?? 0}): ${text}`, { details: { status: res.statusCode } }))
      })
      ws.terminate()
    })
    ws.on('error', (err) => {
      if (!open) reject(new AgentError(AgentErrorCode.Transport, `session socket failed: ${err.message}`, { cause: err }))
      else finish(`the session socket failed: ${err.message}`)
    })
    ws.on('close', (code, reason) => {
      if (!open) reject(new AgentError(AgentErrorCode.Transport, `session socket closed during the handshake (${code})`))
      else finish(reason.length > 0 ? reason.toString('utf8') : `the session socket closed (${code})`)
    })
    ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
      if (isBinary) {
        h.input(bytes)
        return
      }
      let c: SessionControl
      try {
        c = parseJson(SessionControl, bytes, 'session control frame')
      } catch {
        finish('the hub sent an invalid control frame')
        ws.terminate()
        return
      }
      if (c.t === 'closed') finish(c.reason)
      else h.control(c)
    })
    ws.once('open', () => {
      open = true
      resolve({
        kind: 'ws',
        write: (bytes) => { if (ws.readyState === ws.OPEN) ws.send(bytes) },
        control: (c) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(c)) },
        get backlog () { return ws.bufferedAmount },
        end: () => new Promise<void>((done) => {
          if (ws.readyState === ws.CLOSED) {
            done()
            return
          }
          closed = true
          ws.once('close', () => { done() })
          ws.close(1000, 'session over')
          setTimeout(() => { ws.terminate() }, 2000).unref()
        }),
        close: () => {
          closed = true
          ws.terminate()
        }
      })
    })
  })
}
