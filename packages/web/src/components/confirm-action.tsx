import { useState } from 'preact/hooks'

/**
 * A button that asks before it acts: the first press shows `question` with "Yes" and "Cancel";
 * only "Yes" runs `onConfirm`. For anything that changes a host.
 */
export function ConfirmAction (props: { label: string, question: string, onConfirm: () => void, danger?: boolean, disabled?: boolean, yesLabel?: string }) {
  const [asking, setAsking] = useState(false)
  if (!asking) {
    return <button type="button" class={props.danger === true ? 'btn btn-danger' : 'btn'} disabled={props.disabled} onClick={() => setAsking(true)}>{props.label}</button>
  }
  return (
    <div class="confirm-box" role="group" aria-label={`Confirm: ${props.label}`}>
      <p class="confirm">{props.question}</p>
      <button type="button" class="btn btn-danger" onClick={() => { setAsking(false); props.onConfirm() }}>{props.yesLabel ?? `Yes, ${props.label.toLowerCase()}`}</button>
      <button type="button" class="btn" onClick={() => setAsking(false)}>Cancel</button>
    </div>
  )
}

/** The line shown instead of operate buttons to roles that may not operate. */
export function ViewerNote (props: { what: string }) {
  return <p class="muted" data-testid="viewer-note">{props.what} needs the operator role; you can look, not change.</p>
}
