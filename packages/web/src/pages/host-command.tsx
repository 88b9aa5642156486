import { useEffect, useRef, useState } from 'preact/hooks'
import type { CommandStatus } from '@outpost/protocol'
import { errorText } from '../api/api-error.ts'
import { hosts } from '../api/endpoints.ts'
import { useApp } from '../app/app-context.ts'
import { ErrorMessage } from '../components/message.tsx'
import { splitArgv } from '../model/argv.ts'

const WAIT_MS = 25_000
/** A command waits at most this many long polls (about 10 minutes, the default time to live). */
const MAX_POLLS = 25
const DONE = new Set(['completed', 'failed', 'rejected', 'expired'])

/** Runs a program on the host (argv, no shell) and shows exit code, stdout and stderr. */
export function CommandPanel (props: { hostId: string }) {
  const { api, session } = useApp()
  const [line, setLine] = useState('')
  const [status, setStatus] = useState<CommandStatus | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const abort = useRef<AbortController | null>(null)
  useEffect(() => () => abort.current?.abort(), [])
  const run = async (e: Event): Promise<void> => {
    e.preventDefault()
    let argv: string[]
    try { argv = splitArgv(line) } catch (err) { setError(errorText(err)); return }
    if (argv.length === 0) { setError('Type a command, e.g. uptime'); return }
    abort.current?.abort()
    const ac = new AbortController()
    abort.current = ac
    setBusy(true); setError(undefined); setStatus(undefined)
    try {
      const { id } = await hosts.exec(api, props.hostId, argv)
      for (let i = 0; i < MAX_POLLS && !ac.signal.aborted; i++) {
        const s = await hosts.command(api, id, WAIT_MS, ac.signal)
        setStatus(s)
        if (DONE.has(s.status)) break
      }
    } catch (err) {
      if (!ac.signal.aborted) setError(errorText(err))
    } finally {
      if (!ac.signal.aborted) setBusy(false)
    }
  }
  if (session.role === 'viewer') return <p>Running commands needs the operator role.</p>
  return (
    <>
      <h2>Remote command</h2>
      <form class="command-form" onSubmit={(e) => { void run(e) }}>
        <label for="cmd-line">Command <span class="muted">(run directly, no shell; quote arguments with spaces)</span></label>
        <input id="cmd-line" autocomplete="off" autocapitalize="off" spellcheck={false} value={line} onInput={(e) => setLine(e.currentTarget.value)} placeholder="uptime" />
        <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Running…' : 'Run'}</button>
      </form>
      <ErrorMessage text={error} />
      {status === undefined ? null : <CommandResult status={status} />}
    </>
  )
}

/** State, exit code and output of one command. */
function CommandResult (props: { status: CommandStatus }) {
  const s = props.status
  return (
    <section class="card command-result" aria-live="polite" aria-label="Command result" data-testid="command-result">
      <p><strong>{s.status}</strong>
        {s.exitCode === null ? null : <> · exit code <strong data-testid="exit-code">{s.exitCode}</strong></>}
        {s.signal === null ? null : <> · signal {s.signal}</>}
        {s.truncated ? <> · output truncated</> : null}</p>
      {s.error === null ? null : <p class="error">{s.error.code}: {s.error.message}</p>}
      <h3>stdout</h3>
      <pre data-testid="stdout" tabIndex={0}>{s.stdout || '(empty)'}</pre>
      <h3>stderr</h3>
      <pre data-testid="stderr" tabIndex={0}>{s.stderr || '(empty)'}</pre>
    </section>
  )
}
