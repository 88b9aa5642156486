/** An operation that a later release brings: said plainly, never faked. */
export function NotAvailable (props: { what: string, detail: string }) {
  return (
    <section class="card not-available" aria-labelledby="na-title">
      <h2 id="na-title">{props.what}</h2>
      <p><strong>Not yet available.</strong> {props.detail}</p>
    </section>
  )
}
