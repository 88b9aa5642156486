import { useEffect, useState } from 'preact/hooks'
import type { JobSummary } from '@outpost/protocol'
import { jobs } from '../../api/ops-jobs.ts'
import { useApp } from '../../app/app-context.ts'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useOpAsync } from '../../components/use-op-async.ts'
import { when } from '../../model/format.ts'
import { jobProgress } from '../../model/job-draft.ts'
import { Link, navigate } from '../../router/router.tsx'
import { JobForm } from './job-form.tsx'

/** While a job runs, the list is also refreshed this often, in case a live event was missed. */
const RUNNING_REFRESH_MS = 5000

/** Job history with progress, updated live; operators create jobs. */
export function JobsPage () {
  const { api, live, session } = useApp()
  const list = useOpAsync(() => jobs.list(api), [api])
  const [creating, setCreating] = useState(false)
  // Any job event means some job moved: the list is small, so it is fetched again whole.
  useEffect(() => live.subscribe(e => { if (e.type === 'job') list.reload() }), [live])
  const running = list.data?.some(j => j.state === 'running' || j.state === 'scheduled') ?? false
  useEffect(() => {
    if (!running) return
    const t = setInterval(list.reload, RUNNING_REFRESH_MS)
    return () => clearInterval(t)
  }, [running])
  return (
    <>
      <div class="page-head"><h1>Jobs</h1>
        {session.role === 'viewer' ? null : <button type="button" class="btn btn-primary" aria-expanded={creating} onClick={() => setCreating(c => !c)}>{creating ? 'Close the form' : 'New job'}</button>}
      </div>
      {creating ? <JobForm onCreated={(id) => navigate(`/jobs/${encodeURIComponent(id)}`)} /> : null}
      <ErrorMessage text={list.error} />
      <Loading when={list.loading && list.data === undefined} />
      {list.data?.length === 0 ? <p class="muted">No jobs yet.</p> : null}
      <ul class="cards job-cards" aria-label="Jobs" data-testid="job-list">{list.data?.map(j => <JobCard key={j.id} job={j} />)}</ul>
    </>
  )
}

/** One job: name, state, progress bar and counts. */
export function JobCard (props: { job: JobSummary }) {
  const j = props.job
  const c = j.counts
  const pct = jobProgress(j)
  return (
    <li class="card job-card">
      <h2 class="job-title"><Link href={`/jobs/${encodeURIComponent(j.id)}`}>{j.name}</Link> <span class={`tag tag-${j.state}`}>{j.state}</span></h2>
      <progress max={100} value={pct} aria-label={`${j.name}: ${pct} % of hosts done`}>{pct} %</progress>
      <p class="muted">{c.completed} completed · {c.failed} failed · {c.rejected} rejected · {c.expired} expired · {c.cancelled} cancelled · {c.pending} pending, of {c.total}</p>
      <p class="muted">{j.actionType === 'exec' ? 'Command' : 'File'} · by {j.createdBy} · {j.state === 'scheduled' ? `starts ${when(j.runAt)}` : `started ${when(j.runAt)}`} · expires {when(j.expiresAt)}</p>
    </li>
  )
}
