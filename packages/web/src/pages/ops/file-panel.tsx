import { useState } from 'preact/hooks'
import { MAX_FILE_VIEW_BYTES, type FileContent, type FileStat } from '@outpost/protocol'
import { files } from '../../api/ops-files.ts'
import { useApp } from '../../app/app-context.ts'
import { ErrorMessage, Loading } from '../../components/message.tsx'
import { useOpAsync } from '../../components/use-op-async.ts'
import { base64ToBytes, bytesAsText } from '../../model/file-content.ts'
import { bytes, when } from '../../model/format.ts'
import { FileEditor } from './file-editor.tsx'

interface Opened { stat: FileStat, content: FileContent | null, text: string | null }

/** One file: its facts, its text (or "binary"), a download link, and the editor. */
export function FilePanel (props: { hostId: string, path: string, onClose: () => void, onSaved: () => void }) {
  const { api } = useApp()
  const [editing, setEditing] = useState(false)
  const [note, setNote] = useState<string | undefined>(undefined)
  const opened = useOpAsync<Opened>(async (signal) => {
    const stat = await files.stat(api, props.hostId, props.path, signal)
    if (stat.type !== 'file' || stat.protected || stat.size > MAX_FILE_VIEW_BYTES) return { stat, content: null, text: null }
    const content = await files.read(api, props.hostId, props.path, signal)
    return { stat, content, text: bytesAsText(base64ToBytes(content.contentBase64)) }
  }, [api, props.hostId, props.path])
  const o = opened.data
  return (
    <section class="card file-panel" aria-labelledby="file-h" data-testid="file-panel">
      <div class="section-head">
        <h3 id="file-h" class="wrap">{props.path}</h3>
        <button type="button" class="btn btn-quiet" onClick={props.onClose}>Close</button>
      </div>
      <ErrorMessage text={opened.error} />
      {note === undefined ? null : <p role="status" class="ok">{note}</p>}
      <Loading when={opened.loading && o === undefined} />
      {o === undefined ? null : (
        <>
          <dl class="facts" data-testid="file-stat">
            <dt>Type</dt><dd>{o.stat.type}{o.stat.target === undefined ? '' : ` → ${o.stat.target}`}</dd>
            <dt>Size</dt><dd>{bytes(o.stat.size)}</dd>
            <dt>Owner</dt><dd>{o.stat.user}:{o.stat.group}</dd>
            <dt>Mode</dt><dd>{o.stat.mode}</dd>
            <dt>Modified</dt><dd>{when(o.stat.mtime)}</dd>
            {o.stat.realPath === o.stat.path ? null : <><dt>Real path</dt><dd class="wrap">{o.stat.realPath}</dd></>}
            {o.content === null ? null : <><dt>SHA-256</dt><dd class="wrap mono">{o.content.sha256}</dd></>}
          </dl>
          <div class="actions">
            {o.stat.type === 'file' && !o.stat.protected ? <a class="btn" href={files.downloadUrl(props.hostId, props.path)} download>Download</a> : null}
            {o.text !== null && o.content !== null && !editing ? <button type="button" class="btn" onClick={() => { setNote(undefined); setEditing(true) }}>Edit</button> : null}
          </div>
          {o.stat.protected ? <p class="muted">Protected by the host's policy: it cannot be read or written.</p> : null}
          {o.stat.type === 'file' && o.content === null && !o.stat.protected ? <p class="muted">Too large to show here ({bytes(o.stat.size)}); download it instead.</p> : null}
          {o.content !== null && o.text === null ? <p data-testid="binary-note">Binary, {o.content.size} bytes. Download it to look inside.</p> : null}
          {o.content !== null && o.text !== null && !editing ? <pre class="file-text" tabIndex={0} aria-label="File content" data-testid="file-text">{o.text}</pre> : null}
          {o.content !== null && o.text !== null && editing
            ? <FileEditor hostId={props.hostId} path={props.path} original={o.text} sha256={o.content.sha256}
                onCancel={() => setEditing(false)} onSaved={(n) => { setEditing(false); setNote(n); opened.reload(); props.onSaved() }} />
            : null}
        </>
      )}
    </section>
  )
}
