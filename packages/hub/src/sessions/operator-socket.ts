import type { Logger } from 'pino'
import type { WebSocket, RawData } from 'ws'
import { SessionControl, parseJson } from '@outpost/protocol'
import type { Bus } from '../bus/bus.ts'
import { asFrame, publishControl, publishData, sessionSubjects } from './session-frames.ts'
import type { SessionLimits } from './session-limits.ts'

/** WebSocket close codes used on session sockets. */
export const SessionClose = { Normal: 1000, GoingAway: 1001, Unsupported: 1003, Policy: 1008, TooBig: 1009 } as const

/**
 * One operator's socket on a session: binary frames are keystrokes, text frames `resize`. Input
 * is held (bounded) until the agent side said `ready`, then relayed down the bus; whatever comes
 * up is written to the socket. The socket closes after `closed` came up.
 */
export function relayOperatorSocket (ws: WebSocket, o: { id: string, bus: Bus, limits: SessionLimits, log: Logger }): { markReady: () => void } {
  const s = sessionSubjects(o.id)
  let ready = false
  let held: Array<Buffer | SessionControl> = []
  let heldBytes = 0
  const markReady = (): void => {
    if (ready) return
    ready = true
    send({ t: 'ready' })
    for (const item of held) {
      if (Buffer.isBuffer(item)) publishData(o.bus, s.down, item)
      else publishControl(o.bus, s.down, item)
    }
    held = []
  }
  const send = (c: SessionControl): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(c))
  }
  const unsubscribe = o.bus.subscribe(s.up, (payload) => {
    const f = asFrame(payload)
    if (f === undefined || ws.readyState !== ws.OPEN) return
    if ('data' in f) {
      if (ws.bufferedAmount > o.limits.slowConsumerBytes) {
        o.log.info({ sessionId: o.id }, 'operator socket does not keep up with the terminal output; dropped')
        ws.terminate()
        return
      }
      ws.send(Buffer.from(f.data, 'base64'))
      return
    }
    if (f.control.t === 'ready') {
      markReady()
      return
    }
    send(f.control)
    if (f.control.t === 'closed') ws.close(SessionClose.Normal, 'session closed')
  })
  ws.once('close', unsubscribe)
  ws.on('error', (err) => { o.log.info({ err, sessionId: o.id }, 'operator session socket error') })
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = rawBytes(data)
    let item: Buffer | SessionControl
    if (isBinary) {
      item = bytes
    } else {
      let c: SessionControl
      try {
        c = parseJson(SessionControl, bytes, 'session control frame')
      } catch {
        ws.close(SessionClose.Unsupported, 'text frames must be SessionControl JSON')
        return
      }
      // Operators resize; exit, ready and closed are the agent's and the hub's to say.
      if (c.t !== 'resize') return
      item = c
    }
    if (ready) {
      if (Buffer.isBuffer(item)) publishData(o.bus, s.down, item)
      else publishControl(o.bus, s.down, item)
      return
    }
    heldBytes += Buffer.isBuffer(item) ? item.length : 64
    if (heldBytes > o.limits.pendingInputBytes) {
      ws.close(SessionClose.TooBig, 'too much input before the terminal was ready')
      return
    }
    held.push(item)
  })
  // The caller reads the session's state after subscribing and calls this when it is open already.
  return { markReady }
}

/** The bytes of a frame, however `ws` handed them over. */
export function rawBytes (data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
}
