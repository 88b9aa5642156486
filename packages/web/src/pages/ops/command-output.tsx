import { hosts } from '../../api/endpoints.ts'
import { useApp } from '../../app/app-context.ts'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useOpAsync } from '../../components/use-op-async.ts'

/** A finished command's stdout and stderr (a job's result on one host). */
export function CommandOutput (props: { commandId: string, onClose: () => void }) {
  const { api } = useApp()
  const s = useOpAsync((signal) => hosts.command(api, props.commandId, 0, signal), [api, props.commandId])
  return (
    <section class="card" aria-labelledby="out-h" data-testid="command-output">
      <div class="section-head"><h2 id="out-h">Output</h2><button type="button" class="btn btn-quiet" onClick={props.onClose}>Close</button></div>
      <ErrorMessage text={s.error} />
      <Loading when={s.loading && s.data === undefined} />
      {s.data === undefined ? null : (
        <>
          <p>{s.data.status}{s.data.exitCode === null ? '' : ` · exit code ${s.data.exitCode}`}{s.data.truncated ? ' · output truncated' : ''}</p>
          <h3>stdout</h3><pre tabIndex={0} aria-label="stdout">{s.data.stdout || '(empty)'}</pre>
          <h3>stderr</h3><pre tabIndex={0} aria-label="stderr">{s.data.stderr || '(empty)'}</pre>
        </>
      )}
    </section>
  )
}
