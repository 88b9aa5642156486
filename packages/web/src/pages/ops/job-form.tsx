import { useMemo, useState } from 'preact/hooks'
import { hosts } from '../../api/endpoints.ts'
import { jobs } from '../../api/ops-jobs.ts'
import { useApp } from '../../app/app-context.ts'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useOpAsync } from '../../components/use-op-async.ts'
import { EMPTY_JOB, jobRequest, type JobDraft } from '../../model/job-draft.ts'
import { opErrorText } from '../../model/op-errors.ts'

const toggle = (list: readonly string[], v: string): string[] => (list.includes(v) ? list.filter(x => x !== v) : [...list, v])

/** Creates a job: a command or a file, for picked hosts and/or groups, now or at a time, with an expiry. */
export function JobForm (props: { onCreated: (id: string) => void }) {
  const { api } = useApp()
  const all = useOpAsync(() => hosts.list(api), [api])
  const [d, setD] = useState<JobDraft>(EMPTY_JOB)
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const groups = useMemo(() => [...new Set((all.data ?? []).map(h => h.group))].sort(), [all.data])
  const set = (patch: Partial<JobDraft>): void => setD(old => ({ ...old, ...patch }))
  const submit = (e: Event): void => {
    e.preventDefault()
    const r = jobRequest(d)
    if ('problem' in r) { setError(r.problem); return }
    setBusy(true); setError(undefined)
    jobs.create(api, r.request).then(j => props.onCreated(j.id), (err: unknown) => { setError(opErrorText(err)); setBusy(false) })
  }
  return (
    <form class="card" onSubmit={submit} aria-labelledby="job-form-h" data-testid="job-form">
      <h2 id="job-form-h">New job</h2>
      <label for="job-name">Name</label>
      <input id="job-name" value={d.name} onInput={(e) => set({ name: e.currentTarget.value })} placeholder="rotate logs" />
      <fieldset class="fieldset"><legend>What</legend>
        <label class="check"><input type="radio" name="job-kind" checked={d.kind === 'exec'} onChange={() => set({ kind: 'exec' })} /> Run a command</label>
        <label class="check"><input type="radio" name="job-kind" checked={d.kind === 'file'} onChange={() => set({ kind: 'file' })} /> Write a file</label>
        {d.kind === 'exec' ? (
          <><label for="job-cmd">Command <span class="muted">(no shell; quote arguments with spaces)</span></label>
            <input id="job-cmd" autocomplete="off" autocapitalize="off" spellcheck={false} value={d.command} onInput={(e) => set({ command: e.currentTarget.value })} placeholder="uptime" /></>
        ) : (
          <><label for="job-path">File path</label>
            <input id="job-path" autocomplete="off" autocapitalize="off" spellcheck={false} value={d.filePath} onInput={(e) => set({ filePath: e.currentTarget.value })} placeholder="/etc/motd" />
            <label for="job-text">Content</label>
            <textarea id="job-text" class="editor" value={d.fileText} onInput={(e) => set({ fileText: e.currentTarget.value })} /></>
        )}
      </fieldset>
      <fieldset class="fieldset"><legend>Hosts</legend>
        <ErrorMessage text={all.error} />
        <Loading when={all.loading && all.data === undefined} />
        {groups.length === 0 ? null : <p class="muted">Whole groups (hosts added later to a group are not included):</p>}
        {groups.map(g => <label key={`g-${g}`} class="check"><input type="checkbox" checked={d.groups.includes(g)} onChange={() => set({ groups: toggle(d.groups, g) })} /> Group {g}</label>)}
        <div class="host-picks">{all.data?.map(h => (
          <label key={h.id} class="check"><input type="checkbox" checked={d.hostIds.includes(h.id)} onChange={() => set({ hostIds: toggle(d.hostIds, h.id) })} /> {h.name} <span class="muted">({h.group})</span></label>
        ))}</div>
      </fieldset>
      <div class="field-row">
        <div><label for="job-run">Start <span class="muted">(empty: now)</span></label>
          <input id="job-run" type="datetime-local" value={d.runAt} onInput={(e) => set({ runAt: e.currentTarget.value })} /></div>
        <div><label for="job-exp">Expires <span class="muted">(empty: 24 h after the start)</span></label>
          <input id="job-exp" type="datetime-local" value={d.expiresAt} onInput={(e) => set({ expiresAt: e.currentTarget.value })} /></div>
      </div>
      <ErrorMessage text={error} />
      <div class="actions"><button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Creating…' : d.runAt === '' ? 'Run the job now' : 'Schedule the job'}</button></div>
    </form>
  )
}
