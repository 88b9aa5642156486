import { useEffect, useRef, useState } from 'preact/hooks'
import { SessionControl } from '@outpost/protocol'
import { matches } from '../../api/check.ts'
import { sessions } from '../../api/ops-sessions.ts'
import { useApp } from '../../app/app-context.ts'
import { ErrorMessage } from '../../components/message.tsx'
import { opErrorText } from '../../model/op-errors.ts'

type Phase = { t: 'loading' } | { t: 'connecting' } | { t: 'open' } | { t: 'ended', code: number | null, reason: string }

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v))

/**
 * A live terminal on the host: opens a session sized to the screen, joins its WebSocket (binary
 * frames are terminal bytes, text frames `SessionControl` JSON) and follows the screen's size.
 * `onChanged` hears when the session starts and ends (the list of sessions is then out of date).
 */
export function LiveTerminal (props: { hostId: string, onChanged: () => void }) {
  const { api } = useApp()
  const box = useRef<HTMLDivElement>(null)
  const [phase, setPhase] = useState<Phase>({ t: 'loading' })
  const [error, setError] = useState<string | undefined>(undefined)
  useEffect(() => {
    let disposed = false
    let cleanup = (): void => {}
    const start = async (): Promise<void> => {
      const { openXterm } = await import('./xterm-view.ts')
      const el = box.current
      if (disposed || el === null) return
      const view = openXterm(el, { readOnly: false })
      cleanup = () => view.dispose()
      const cols = clamp(view.term.cols, 10, 1000)
      const rows = clamp(view.term.rows, 2, 500)
      setPhase({ t: 'connecting' })
      const info = await sessions.open(api, props.hostId, cols, rows)
      if (disposed) return
      props.onChanged()
      const ws = new WebSocket(sessions.wsUrl(info.id))
      ws.binaryType = 'arraybuffer'
      const enc = new TextEncoder()
      let ended = false
      const end = (code: number | null, reason: string): void => {
        if (ended) return
        ended = true
        setPhase({ t: 'ended', code, reason })
        view.term.options.disableStdin = true
      }
      ws.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
        if (typeof ev.data !== 'string') { view.term.write(new Uint8Array(ev.data)); return }
        let msg: unknown
        try { msg = JSON.parse(ev.data) } catch { return } // not a control frame: ignored, like any unknown control
        if (!matches(SessionControl, msg)) return
        if (msg.t === 'ready') { setPhase({ t: 'open' }); view.term.focus() }
        else if (msg.t === 'exit') end(msg.code, 'the shell exited')
        else if (msg.t === 'closed') end(null, msg.reason)
      }
      ws.onopen = () => { ws.send(JSON.stringify({ t: 'resize', cols: clamp(view.term.cols, 10, 1000), rows: clamp(view.term.rows, 2, 500) })) }
      // The hub closes the socket once it stored the session's end: the list is current only then.
      ws.onclose = () => { end(null, 'the connection closed'); props.onChanged() }
      const input = view.term.onData(d => { if (ws.readyState === WebSocket.OPEN) ws.send(enc.encode(d)) })
      const resized = view.term.onResize(({ cols: c, rows: r }) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: 'resize', cols: clamp(c, 10, 1000), rows: clamp(r, 2, 500) }))
      })
      const observer = new ResizeObserver(() => view.fit())
      observer.observe(el)
      cleanup = () => { observer.disconnect(); input.dispose(); resized.dispose(); ws.close(); view.dispose() }
    }
    start().catch((err: unknown) => { if (!disposed) { setError(opErrorText(err)); setPhase({ t: 'ended', code: null, reason: 'the session could not be opened' }) } })
    return () => { disposed = true; cleanup() }
  }, [api, props.hostId])
  return (
    <section aria-labelledby="term-h">
      <h3 id="term-h">Live terminal</h3>
      <p role="status" data-testid="terminal-state" class={phase.t === 'ended' ? 'muted' : ''}>{phaseText(phase)}</p>
      <ErrorMessage text={error} />
      <div ref={box} class="terminal-box" data-testid="terminal" />
    </section>
  )
}

function phaseText (p: Phase): string {
  switch (p.t) {
    case 'loading': return 'Loading the terminal…'
    case 'connecting': return 'Connecting to the host…'
    case 'open': return 'Connected. Everything typed here runs on the host and is recorded.'
    case 'ended': return `Session ended: ${p.reason}${p.code === null ? '' : ` (exit code ${p.code})`}.`
  }
}
