import { useState } from 'preact/hooks'
import type { LiveSessionInfo } from '@outpost/protocol'
import { sessions } from '../../api/ops-sessions.ts'
import { useApp } from '../../app/app-context.ts'
import { ViewerNote } from '../../components/confirm-action.tsx'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useOpAsync } from '../../components/use-op-async.ts'
import { bytes, when } from '../../model/format.ts'
import { opErrorText } from '../../model/op-errors.ts'
import { LiveTerminal } from './live-terminal.tsx'
import { RecordingPlayer } from './recording-player.tsx'

/** The host's terminal: open a live session (operators), and replay past sessions' recordings. */
export function TerminalPage (props: { hostId: string }) {
  const { api, session } = useApp()
  const list = useOpAsync(() => sessions.list(api, props.hostId), [api, props.hostId])
  const [live, setLive] = useState(0)
  const [playing, setPlaying] = useState<string | undefined>(undefined)
  const canOperate = session.role !== 'viewer'
  return (
    <>
      <h2>Terminal</h2>
      {canOperate ? (
        <div class="actions">
          <button type="button" class="btn btn-primary" onClick={() => setLive(n => n + 1)}>{live === 0 ? 'Open terminal' : 'New session'}</button>
        </div>
      ) : <ViewerNote what="Opening a terminal" />}
      {live === 0 ? null : <LiveTerminal key={live} hostId={props.hostId} onChanged={list.reload} />}
      {playing === undefined ? null : <RecordingPlayer key={playing} sessionId={playing} onClose={() => setPlaying(undefined)} />}
      <h3>Past sessions</h3>
      <ErrorMessage text={list.error} />
      <Loading when={list.loading && list.data === undefined} />
      {list.data?.length === 0 ? <p class="muted">No sessions yet.</p> : null}
      {list.data === undefined || list.data.length === 0 ? null : <SessionTable list={list.data} {...(canOperate ? { onPlay: setPlaying } : {})} />}
    </>
  )
}

/** Past sessions; `onPlay` only for roles that may fetch recordings (operators and admins). */
function SessionTable (props: { list: readonly LiveSessionInfo[], onPlay?: (id: string) => void }) {
  return (
    <table class="table" tabIndex={0} aria-label="Past sessions" data-testid="session-table">
      <thead><tr><th scope="col">Started</th><th scope="col">By</th><th scope="col">State</th><th scope="col">Exit</th><th scope="col">Recording</th></tr></thead>
      <tbody>{props.list.map(s => (
        <tr key={s.id}>
          <td>{when(s.createdAt)}</td><td>{s.actor}</td><td>{s.state}</td><td>{s.exitCode ?? '—'}</td>
          <td>{s.recordingBytes === 0 || props.onPlay === undefined ? <span class="muted">{bytes(s.recordingBytes)}</span>
            : <><button type="button" class="btn" onClick={() => props.onPlay?.(s.id)} aria-label={`Play recording of ${when(s.createdAt)}`}>Play</button> <span class="muted">{bytes(s.recordingBytes)}</span></>}</td>
        </tr>))}
      </tbody>
    </table>
  )
}
