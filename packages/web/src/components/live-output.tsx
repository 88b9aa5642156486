import { useEffect, useRef, useState } from 'preact/hooks'
import type { CommandStatus } from '@outpost/protocol'
import { commandFailure, followOutput, waitCommand } from '../api/ops-commands.ts'
import { useApp } from '../app/app-context.ts'
import { opErrorText } from '../model/op-errors.ts'
import { ErrorMessage } from './message.tsx'

/**
 * The output of a running command as it happens (the SSE stream), then its final state. The
 * stream is live only; if it missed the start, the final result (which holds everything) replaces it.
 */
export function LiveOutput (props: { commandId: string, onFinished?: (s: CommandStatus) => void }) {
  const { api } = useApp()
  const [text, setText] = useState('')
  const [final, setFinal] = useState<CommandStatus | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const pre = useRef<HTMLPreElement>(null)
  useEffect(() => {
    const ac = new AbortController()
    const stop = followOutput(props.commandId, { chunk: c => setText(t => t + c.data), finished: () => {} })
    waitCommand(api, props.commandId, ac.signal).then((s) => {
      stop()
      const all = s.stdout + s.stderr
      setText(t => (all.length >= t.length ? all : t))
      setFinal(s)
      const failure = commandFailure(s)
      if (failure !== undefined) setError(opErrorText(failure))
      props.onFinished?.(s)
    }, (err: unknown) => { if (!ac.signal.aborted) setError(opErrorText(err)) })
    return () => { ac.abort(); stop() }
  }, [api, props.commandId])
  useEffect(() => { const el = pre.current; if (el !== null) el.scrollTop = el.scrollHeight }, [text])
  return (
    <section class="card" aria-label="Command output" data-testid="live-output">
      <p role="status">{final === undefined ? 'Running… output appears as it comes.' : `Finished: ${final.status}${final.exitCode === null ? '' : `, exit code ${final.exitCode}`}.`}</p>
      <ErrorMessage text={error} />
      <pre ref={pre} tabIndex={0} aria-label="Output" data-testid="live-output-text">{text || ' '}</pre>
    </section>
  )
}
