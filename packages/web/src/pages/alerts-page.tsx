import { useState } from 'preact/hooks'
import { AlertList } from '../components/alert-list.tsx'

/** Open and recent alerts; acknowledge one, or silence its host for a while. */
export function AlertsPage () {
  const [view, setView] = useState<'open' | 'all'>('open')
  return (
    <>
      <div class="page-head"><h1>Alerts</h1></div>
      <div class="toolbar" role="group" aria-label="Which alerts">
        <button type="button" class="btn" aria-pressed={view === 'open'} onClick={() => setView('open')}>Open</button>
        <button type="button" class="btn" aria-pressed={view === 'all'} onClick={() => setView('all')}>Recent</button>
      </div>
      <AlertList view={view} emptyText={view === 'open' ? 'No open alerts.' : 'No alerts.'} />
    </>
  )
}
