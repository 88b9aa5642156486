import type { Logger } from 'pino'
import type { WebSocket, RawData } from 'ws'
import { SessionControl, parseJson } from '@outpost/protocol'
import type { Bus } from '../bus/bus.ts'
import { asFrame, publishControl, publishData, sessionSubjects } from './session-frames.ts'
import { SessionClose, rawBytes } from './operator-socket.ts'

/**
 * The agent's socket on a session: binary frames are terminal output, text frames `ready`,
 * `exit` or `closed`; all go up the bus. Input and `resize` come down the bus and are written
 * to the socket; `closed` coming down is passed on and the socket closed. A socket that drops
 * before the session ended ends it (`closed` up).
 */
export function relayAgentSocket (ws: WebSocket, o: { id: string, bus: Bus, log: Logger }): void {
  const s = sessionSubjects(o.id)
  let ended = false
  const unsubscribe = o.bus.subscribe(s.down, (payload) => {
    const f = asFrame(payload)
    if (f === undefined || ws.readyState !== ws.OPEN) return
    if ('data' in f) {
      ws.send(Buffer.from(f.data, 'base64'))
      return
    }
    if (f.control.t !== 'resize' && f.control.t !== 'closed') return
    ws.send(JSON.stringify(f.control))
    if (f.control.t === 'closed') {
      ended = true
      ws.close(SessionClose.Normal, 'session closed')
    }
  })
  ws.on('error', (err) => { o.log.info({ err, sessionId: o.id }, 'agent session socket error') })
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = rawBytes(data)
    if (isBinary) {
      publishData(o.bus, s.up, bytes)
      return
    }
    let c: SessionControl
    try {
      c = parseJson(SessionControl, bytes, 'session control frame')
    } catch (err) {
      o.log.info({ err, sessionId: o.id }, 'agent sent an invalid session control frame')
      ws.close(SessionClose.Unsupported, 'text frames must be SessionControl JSON')
      return
    }
    if (c.t === 'resize') return
    if (c.t === 'exit' || c.t === 'closed') ended = true
    publishControl(o.bus, s.up, c)
  })
  ws.once('close', (code) => {
    unsubscribe()
    if (!ended) publishControl(o.bus, s.up, { t: 'closed', reason: `the agent's connection dropped (${code})` })
  })
}
