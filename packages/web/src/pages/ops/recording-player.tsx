import { useEffect, useRef, useState } from 'preact/hooks'
import { sessions } from '../../api/ops-sessions.ts'
import { ErrorMessage } from '../../components/message.tsx'
import { frameIndexAt, parseAsciicast, type Cast } from '../../model/asciicast.ts'
import { opErrorText } from '../../model/op-errors.ts'
import type { XtermView } from './xterm-view.ts'

/** Pauses longer than this (seconds) are shortened when replaying, like asciinema's idle limit. */
const IDLE_LIMIT_S = 2
const SPEEDS = [1, 2, 4, 8] as const

/** Replays a session's asciicast v2 recording into a read-only terminal, with play/pause and speed. */
export function RecordingPlayer (props: { sessionId: string, onClose: () => void }) {
  const box = useRef<HTMLDivElement>(null)
  const view = useRef<XtermView | null>(null)
  const [cast, setCast] = useState<Cast | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [playing, setPlaying] = useState(false)
  const [speed, setSpeed] = useState<number>(1)
  const [next, setNext] = useState(0)
  useEffect(() => {
    const ac = new AbortController()
    let disposed = false
    Promise.all([sessions.recording(props.sessionId, ac.signal), import('./xterm-view.ts')]).then(([text, { openXterm }]) => {
      if (disposed || box.current === null) return
      const c = parseAsciicast(text)
      view.current = openXterm(box.current, { readOnly: true, size: { cols: c.header.width, rows: c.header.height } })
      setCast(c)
      setPlaying(true)
    }).catch((err: unknown) => { if (!disposed) setError(opErrorText(err)) })
    return () => { disposed = true; ac.abort(); view.current?.dispose(); view.current = null }
  }, [props.sessionId])
  useEffect(() => {
    if (!playing || cast === undefined) return
    const frame = cast.frames[next]
    if (frame === undefined) { setPlaying(false); return }
    const prev = next === 0 ? 0 : (cast.frames[next - 1]?.time ?? 0)
    const wait = Math.min(frame.time - prev, IDLE_LIMIT_S) * 1000 / speed
    const timer = setTimeout(() => {
      // Everything due at the same moment is written at once, so fast output does not crawl.
      const upTo = frameIndexAt(cast.frames, frame.time)
      for (let i = next; i < upTo; i++) view.current?.term.write(cast.frames[i]?.data ?? '')
      setNext(upTo)
    }, wait)
    return () => clearTimeout(timer)
  }, [playing, cast, next, speed])
  const restart = (): void => { view.current?.term.reset(); setNext(0); setPlaying(true) }
  const done = cast !== undefined && next >= cast.frames.length
  return (
    <section class="card" aria-labelledby="rec-h" data-testid="recording-player">
      <h3 id="rec-h">Recording</h3>
      <ErrorMessage text={error} />
      <div class="actions">
        <button type="button" class="btn" disabled={cast === undefined}
          onClick={() => (done ? restart() : setPlaying(p => !p))}>{playing ? 'Pause' : done ? 'Replay' : 'Play'}</button>
        <label for="rec-speed" class="inline-label">Speed</label>
        <select id="rec-speed" value={String(speed)} onChange={(e) => setSpeed(Number(e.currentTarget.value))}>
          {SPEEDS.map(s => <option key={s} value={String(s)}>{s}×</option>)}
        </select>
        <button type="button" class="btn btn-quiet" onClick={props.onClose}>Close</button>
      </div>
      <p class="muted" role="status">{cast === undefined ? 'Loading the recording…' : `${next} of ${cast.frames.length} frames · ${cast.duration.toFixed(1)} s recorded`}</p>
      <div ref={box} class="terminal-box terminal-replay" />
    </section>
  )
}
