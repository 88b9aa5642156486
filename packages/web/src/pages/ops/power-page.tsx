import { useState } from 'preact/hooks'
import { runCommand } from '../../api/ops-commands.ts'
import { useApp } from '../../app/app-context.ts'
import { ViewerNote } from '../../components/confirm-action.tsx'
import { ErrorMessage } from '../../components/message.tsx'
import { opErrorText } from '../../model/op-errors.ts'

type PowerAction = 'reboot' | 'shutdown' | 'cancel'

/** Reboot or shut down after a delay with a reason, or cancel a pending one; the confirmation names the host. */
export function PowerPage (props: { hostId: string, hostName: string }) {
  const { api, session } = useApp()
  const [action, setAction] = useState<PowerAction>('reboot')
  const [delay, setDelay] = useState('5')
  const [reason, setReason] = useState('')
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const [note, setNote] = useState<string | undefined>(undefined)
  if (session.role === 'viewer') return <><h2>Power</h2><ViewerNote what="Rebooting or shutting down" /></>
  const minutes = Number(delay)
  const problem = !Number.isInteger(minutes) || minutes < 0 || minutes > 10_080 ? 'The delay is whole minutes from 0 to 10080.'
    : reason.trim() === '' ? 'Give a reason: logged-in users see it.' : undefined
  const ask = (e: Event): void => { e.preventDefault(); setNote(undefined); if (problem === undefined) setAsking(true); else setError(problem) }
  const run = (): void => {
    setAsking(false); setBusy(true); setError(undefined)
    runCommand(api, props.hostId, { type: 'power', action, delayMinutes: minutes, reason: reason.trim() }).then(
      () => setNote(action === 'cancel' ? 'The pending reboot or shutdown was cancelled.' : `${props.hostName} will ${action === 'reboot' ? 'reboot' : 'shut down'} ${minutes === 0 ? 'now' : `in ${minutes} min`}.`),
      (err: unknown) => setError(opErrorText(err))
    ).finally(() => setBusy(false))
  }
  const verb = action === 'reboot' ? 'Reboot' : action === 'shutdown' ? 'Shut down' : 'Cancel the pending reboot or shutdown of'
  return (
    <>
      <h2>Power</h2>
      <form class="card" onSubmit={ask} aria-labelledby="power-h">
        <h3 id="power-h">Reboot, shut down or cancel</h3>
        <fieldset class="fieldset"><legend>Action</legend>
          {(['reboot', 'shutdown', 'cancel'] as const).map(a => (
            <label key={a} class="check"><input type="radio" name="power-action" value={a} checked={action === a} onChange={() => { setAction(a); setAsking(false) }} />
              {a === 'reboot' ? 'Reboot' : a === 'shutdown' ? 'Shut down' : 'Cancel a pending one'}</label>
          ))}
        </fieldset>
        <div class="field-row">
          <div><label for="power-delay">Delay in minutes</label>
            <input id="power-delay" type="number" inputMode="numeric" min="0" max="10080" value={delay} onInput={(e) => { setDelay(e.currentTarget.value); setAsking(false) }} /></div>
          <div><label for="power-reason">Reason</label>
            <input id="power-reason" maxLength={200} value={reason} onInput={(e) => { setReason(e.currentTarget.value); setAsking(false) }} placeholder="kernel update" /></div>
        </div>
        {asking ? (
          <div class="confirm-box" role="group" aria-label="Confirm">
            <p class="confirm">{verb} {props.hostName}{action === 'cancel' ? '' : minutes === 0 ? ' now' : ` in ${minutes} min`}?</p>
            <button type="button" class="btn btn-danger" onClick={run}>Yes, {action === 'cancel' ? 'cancel it' : `${verb.toLowerCase()} ${props.hostName}`}</button>
            <button type="button" class="btn" onClick={() => setAsking(false)}>No</button>
          </div>
        ) : <div class="actions"><button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Sending…' : 'Continue'}</button></div>}
        <ErrorMessage text={error} />
        {note === undefined ? null : <p role="status" class="ok">{note}</p>}
      </form>
    </>
  )
}
