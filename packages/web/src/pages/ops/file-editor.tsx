import { useState } from 'preact/hooks'
import type { ChangeObject } from 'diff'
import { files } from '../../api/ops-files.ts'
import { useApp } from '../../app/app-context.ts'
import { ErrorMessage } from '../../components/message.tsx'
import { textToBase64 } from '../../model/file-content.ts'
import { errorCode, opErrorText } from '../../model/op-errors.ts'

type Step = 'edit' | 'review' | 'saving'

/**
 * Edits a text file: the textarea, then "Review changes" (a line diff of what was read against
 * the edit), then "Save", which writes only if the file still hashes to what was read.
 */
export function FileEditor (props: { hostId: string, path: string, original: string, sha256: string, onCancel: () => void, onSaved: (note: string) => void }) {
  const { api } = useApp()
  const [text, setText] = useState(props.original)
  const [step, setStep] = useState<Step>('edit')
  const [changes, setChanges] = useState<ChangeObject<string>[]>([])
  const [error, setError] = useState<string | undefined>(undefined)
  const [conflict, setConflict] = useState(false)
  const review = (): void => {
    setError(undefined)
    // The diff library loads only when someone reviews an edit.
    import('diff').then(({ diffLines }) => { setChanges(diffLines(props.original, text)); setStep('review') }, (err: unknown) => setError(opErrorText(err)))
  }
  const save = (): void => {
    setStep('saving'); setError(undefined)
    files.write(api, props.hostId, props.path, textToBase64(text), props.sha256).then(
      (r) => props.onSaved(`Saved ${r.path}${r.backupPath === null ? '' : `; the previous version is kept as ${r.backupPath}`}.`),
      (err: unknown) => { setConflict(errorCode(err) === 'AGENT_ERR_FILE_CHANGED'); setError(opErrorText(err)); setStep('review') }
    )
  }
  const changed = changes.some(c => c.added || c.removed)
  return (
    <div class="file-editor">
      {conflict ? <p class="error" role="alert" data-testid="conflict"><strong>Conflict:</strong> someone changed this file on the host after you opened it. Your edit was not saved and the file was not overwritten.</p> : null}
      <ErrorMessage text={error} />
      {step === 'edit' ? (
        <>
          <label for="file-edit">Content of {props.path}</label>
          <textarea id="file-edit" class="editor" spellcheck={false} autocapitalize="off" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          <div class="actions">
            <button type="button" class="btn btn-primary" onClick={review}>Review changes</button>
            <button type="button" class="btn" onClick={props.onCancel}>Cancel</button>
          </div>
        </>
      ) : (
        <>
          <h4>Changes</h4>
          {changed ? <DiffView changes={changes} /> : <p class="muted">No changes.</p>}
          <div class="actions">
            <button type="button" class="btn btn-primary" disabled={!changed || step === 'saving' || conflict} onClick={save}>{step === 'saving' ? 'Saving…' : 'Save'}</button>
            <button type="button" class="btn" onClick={() => setStep('edit')}>Back to editing</button>
            <button type="button" class="btn btn-quiet" onClick={props.onCancel}>Discard</button>
          </div>
        </>
      )}
    </div>
  )
}

/** A line diff: removed lines marked "-", added "+", others " ", so it reads without colour too. */
function DiffView (props: { changes: readonly ChangeObject<string>[] }) {
  const rows: Array<{ kind: 'add' | 'del' | 'same', line: string }> = []
  for (const c of props.changes) {
    const lines = c.value.replace(/\n$/, '').split('\n')
    for (const line of lines) rows.push({ kind: c.added ? 'add' : c.removed ? 'del' : 'same', line })
  }
  return (
    <pre class="diff" tabIndex={0} aria-label="Line differences" data-testid="diff">{rows.map((r, i) => (
      <span key={i} class={`diff-${r.kind}`}>{r.kind === 'add' ? '+ ' : r.kind === 'del' ? '- ' : '  '}{r.line}{'\n'}</span>
    ))}</pre>
  )
}
