import { useState } from 'preact/hooks'
import type { FileEntry } from '@outpost/protocol'
import { files, uploadFile } from '../../api/ops-files.ts'
import { useApp } from '../../app/app-context.ts'
import { ViewerNote } from '../../components/confirm-action.tsx'
import { Icon } from '../../components/icon.tsx'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useOpAsync } from '../../components/use-op-async.ts'
import { breadcrumbs, joinPath } from '../../model/file-content.ts'
import { bytes, when } from '../../model/format.ts'
import { opErrorText } from '../../model/op-errors.ts'
import { Link, navigate, useLocation } from '../../router/router.tsx'
import { FilePanel } from './file-panel.tsx'

const dirOrder = (a: FileEntry, b: FileEntry): number => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name)

/** Browse the host's files: `?dir=` is the directory shown, `?file=` the file opened (deep links, back button). */
export function FilesPage (props: { hostId: string }) {
  const { api, session } = useApp()
  const loc = useLocation()
  const dir = loc.search.get('dir') ?? '/'
  const file = loc.search.get('file')
  const base = `/hosts/${encodeURIComponent(props.hostId)}/files`
  const href = (d: string, f?: string): string => `${base}?dir=${encodeURIComponent(d)}${f === undefined ? '' : `&file=${encodeURIComponent(f)}`}`
  const canOperate = session.role !== 'viewer'
  const listing = useOpAsync(async (signal) => (canOperate ? files.list(api, props.hostId, dir, signal) : undefined), [api, props.hostId, dir, canOperate])
  if (!canOperate) return <><h2>Files</h2><ViewerNote what="Browsing files" /></>
  return (
    <>
      <h2>Files</h2>
      <nav aria-label="Directory" class="crumbs">
        <ol>{breadcrumbs(dir).map((c, i, all) => (
          <li key={c.path}>{i === all.length - 1 ? <span aria-current="page">{c.label}</span> : <Link href={href(c.path)}>{c.label}</Link>}</li>
        ))}</ol>
      </nav>
      {file === null ? null : <FilePanel key={file} hostId={props.hostId} path={file} onClose={() => navigate(href(dir))} onSaved={listing.reload} />}
      <ErrorMessage text={listing.error} />
      <Loading when={listing.loading} />
      {listing.data === undefined ? null : (
        <>
          {listing.data.truncated ? <p class="muted">Only the first {listing.data.entries.length} entries are shown.</p> : null}
          <table class="table file-table" tabIndex={0} aria-label={`Contents of ${dir}`} data-testid="file-table">
            <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Mode</th><th scope="col">Modified</th></tr></thead>
            <tbody>{[...listing.data.entries].sort(dirOrder).map(e => {
              const p = joinPath(dir, e.name)
              return (
                <tr key={e.name} class={e.protected ? 'row-locked' : ''}>
                  <td class="wrap">{e.protected
                    ? <span title="Protected by the host's policy"><Icon name="lock" /> {e.name} <span class="tag">protected</span></span>
                    : <Link href={e.type === 'dir' ? href(p) : href(dir, p)} aria-label={e.type === 'dir' ? `Directory ${e.name}/` : `File ${e.name}`}>{e.type === 'dir' ? `${e.name}/` : e.name}</Link>}
                    {e.target === undefined ? null : <span class="muted"> → {e.target}</span>}</td>
                  <td>{e.type === 'dir' ? '—' : bytes(e.size)}</td><td>{e.mode}</td><td>{when(e.mtime)}</td>
                </tr>
              )
            })}</tbody>
          </table>
        </>
      )}
      <UploadForm hostId={props.hostId} dir={dir} onDone={listing.reload} />
    </>
  )
}

/** Uploads a file chosen in the browser into the directory shown (streamed, not base64). */
function UploadForm (props: { hostId: string, dir: string, onDone: () => void }) {
  const { session } = useApp()
  const [picked, setPicked] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const [note, setNote] = useState<string | undefined>(undefined)
  const submit = (e: Event): void => {
    e.preventDefault()
    if (picked === null) { setError('Choose a file first.'); return }
    const target = joinPath(props.dir, picked.name)
    setBusy(true); setError(undefined); setNote(undefined)
    uploadFile(props.hostId, target, picked, session.csrfToken).then(
      (r) => { setNote(`Uploaded ${r.path} (${bytes(r.size)})${r.backupPath === null ? '' : `; the previous file is kept as ${r.backupPath}`}.`); props.onDone() },
      (err: unknown) => setError(opErrorText(err))
    ).finally(() => setBusy(false))
  }
  return (
    <form class="card" onSubmit={submit} aria-labelledby="upload-h">
      <h3 id="upload-h">Upload into {props.dir}</h3>
      <label for="upload-file">File</label>
      <input id="upload-file" type="file" onChange={(e) => setPicked(e.currentTarget.files?.[0] ?? null)} />
      <div class="actions"><button type="submit" class="btn btn-primary" disabled={busy || picked === null}>{busy ? 'Uploading…' : 'Upload'}</button></div>
      <ErrorMessage text={error} />
      {note === undefined ? null : <p role="status" class="ok">{note}</p>}
    </form>
  )
}
