import { useState } from 'preact/hooks'
import type { Alert } from '@outpost/protocol'
import { when } from '../model/format.ts'
import { Link } from '../router/router.tsx'
import { Icon } from './icon.tsx'

const SILENCE_CHOICES = [{ m: 60, label: '1 hour' }, { m: 240, label: '4 hours' }, { m: 1440, label: '1 day' }] as const

/** One alert with its actions (acknowledge, silence its host) for those allowed to act. */
export function AlertCard (props: { alert: Alert, canAct: boolean, onAck: () => void, onSilence: (minutes: number) => void }) {
  const a = props.alert
  const [minutes, setMinutes] = useState(60)
  return (
    <li class={`card alert-card sev-${a.severity}`}>
      <p><span class={`badge badge-${a.severity === 'info' ? 'unknown' : a.severity}`}><Icon name={a.severity} class="badge-icon" />{a.severity}</span>
        {' '}<strong>{a.state}</strong>{a.silenced ? <span class="tag">silenced</span> : null}</p>
      <p><Link href={`/hosts/${encodeURIComponent(a.hostId)}`}>{a.hostName}</Link> · {a.ruleName}</p>
      <p>{a.summary}</p>
      <p class="muted">since {when(a.startedAt)}{a.acknowledgedBy === null ? '' : ` · acknowledged by ${a.acknowledgedBy}`}{a.resolvedAt === null ? '' : ` · resolved ${when(a.resolvedAt)}`}</p>
      {props.canAct && a.state !== 'resolved' ? (
        <div class="actions">
          {a.state === 'firing' ? <button type="button" class="btn btn-primary" onClick={props.onAck}>Acknowledge</button> : null}
          <label for={`sil-${a.id}`} class="sr-only">Silence host for</label>
          <select id={`sil-${a.id}`} value={minutes} onChange={(e) => setMinutes(Number(e.currentTarget.value))}>
            {SILENCE_CHOICES.map(c => <option key={c.m} value={c.m}>{c.label}</option>)}
          </select>
          <button type="button" class="btn" onClick={() => props.onSilence(minutes)}>Silence host</button>
        </div>
      ) : null}
    </li>
  )
}
