import { useEffect, useState } from 'preact/hooks'
import type { JobDetail } from '@outpost/protocol'
import { jobs } from '../../api/ops-jobs.ts'
import { useApp } from '../../app/app-context.ts'
import { ConfirmAction } from '../../components/confirm-action.tsx'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useOpAsync } from '../../components/use-op-async.ts'
import { when } from '../../model/format.ts'
import { jobProgress } from '../../model/job-draft.ts'
import { opErrorText } from '../../model/op-errors.ts'
import { Link } from '../../router/router.tsx'
import { CommandOutput } from './command-output.tsx'

/** One job: what it does, and each host's state, exit code, error and output. */
export function JobDetailPage (props: { id: string }) {
  const { api, live, session } = useApp()
  const job = useOpAsync(() => jobs.get(api, props.id), [api, props.id])
  const [error, setError] = useState<string | undefined>(undefined)
  const [output, setOutput] = useState<string | undefined>(undefined)
  useEffect(() => live.subscribe(e => { if (e.type === 'job') job.reload() }), [live, props.id])
  const active = job.data?.state === 'running' || job.data?.state === 'scheduled'
  useEffect(() => {
    if (!active) return
    const t = setInterval(job.reload, 5000)
    return () => clearInterval(t)
  }, [active])
  const j = job.data
  const cancel = (): void => { setError(undefined); jobs.cancel(api, props.id).then(job.reload, (err: unknown) => setError(opErrorText(err))) }
  return (
    <>
      <p><Link href="/jobs">← All jobs</Link></p>
      <h1>{j?.name ?? 'Job'}</h1>
      <ErrorMessage text={job.error ?? error} />
      <Loading when={job.loading && j === undefined} />
      {j === undefined ? null : (
        <>
          <p><span class={`tag tag-${j.state}`}>{j.state}</span> <span class="muted">by {j.createdBy} · runs {when(j.runAt)} · expires {when(j.expiresAt)}</span></p>
          <progress max={100} value={jobProgress(j)} aria-label={`${jobProgress(j)} % of hosts done`}>{jobProgress(j)} %</progress>
          <p class="muted" data-testid="job-counts">{j.counts.completed} completed · {j.counts.failed} failed · {j.counts.rejected} rejected · {j.counts.expired} expired · {j.counts.cancelled} cancelled · {j.counts.pending} pending, of {j.counts.total}</p>
          <p>{actionText(j)}</p>
          {session.role !== 'viewer' && active ? <div class="actions"><ConfirmAction label="Cancel job" danger question={`Cancel “${j.name}” on the hosts that have not run it yet?`} yesLabel="Yes, cancel the job" onConfirm={cancel} /></div> : null}
          <table class="table" tabIndex={0} aria-label="Hosts of this job" data-testid="job-hosts">
            <thead><tr><th scope="col">Host</th><th scope="col">State</th><th scope="col">Exit</th><th scope="col">Error</th><th scope="col">Finished</th><th scope="col">Output</th></tr></thead>
            <tbody>{j.hosts.map(h => (
              <tr key={h.hostId} class={h.state === 'failed' || h.state === 'rejected' ? 'row-bad' : ''}>
                <td><Link href={`/hosts/${encodeURIComponent(h.hostId)}`}>{h.hostname}</Link></td><td>{h.state}</td><td>{h.exitCode ?? '—'}</td>
                <td class="wrap">{h.error === null ? '—' : `${h.error.message} (${h.error.code})`}</td><td>{when(h.finishedAt)}</td>
                <td>{h.commandId === null ? '—' : <button type="button" class="btn" onClick={() => setOutput(h.commandId ?? undefined)} aria-label={`Output on ${h.hostname}`}>Output</button>}</td>
              </tr>))}
            </tbody>
          </table>
          {output === undefined ? null : <CommandOutput key={output} commandId={output} onClose={() => setOutput(undefined)} />}
        </>
      )}
    </>
  )
}

function actionText (j: JobDetail): string {
  return j.action.type === 'exec' ? `Runs: ${j.action.argv.join(' ')}` : `Writes the file ${j.action.path}`
}
