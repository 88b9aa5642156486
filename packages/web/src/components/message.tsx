/** An error line announced to screen readers. */
export function ErrorMessage (props: { text: string | undefined }) {
  if (props.text === undefined) return null
  return <p class="error" role="alert">{props.text}</p>
}

/** A quiet "loading" line. */
export function Loading (props: { when: boolean }) {
  return props.when ? <p class="muted" role="status">Loading…</p> : null
}
