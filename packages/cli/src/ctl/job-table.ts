import type { JobDetail, JobSummary } from '@outpost/protocol'

/** Pads columns to their widest cell; the last column is left as is. */
function table (rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map(r => (r[i] ?? '').length))) ?? []
  return rows.map(r => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n'
}

/** `outpost ctl job ls`: ID STATE DONE/TOTAL RUN-AT NAME, newest first. */
export function formatJobList (jobs: readonly JobSummary[]): string {
  return table([
    ['ID', 'STATE', 'DONE', 'FAILED', 'RUN-AT', 'NAME'],
    ...jobs.map(j => [
      j.id, j.state, `${j.counts.total - j.counts.pending}/${j.counts.total}`,
      String(j.counts.failed + j.counts.rejected + j.counts.expired + j.counts.cancelled), j.runAt, j.name
    ])
  ])
}

/** `outpost ctl job show`: a header line and one row per host (HOST STATE EXIT ERROR). */
export function formatJobDetail (j: JobDetail): string {
  const what = j.action.type === 'exec' ? j.action.argv.join(' ') : `write ${j.action.path}`
  const c = j.counts
  const head = `job ${j.id} "${j.name}" ${j.state}: ${what}\n` +
    `run at ${j.runAt}, expires ${j.expiresAt}; ${c.completed} completed, ${c.pending} pending, ${c.failed} failed, ` +
    `${c.rejected} rejected, ${c.expired} expired, ${c.cancelled} cancelled of ${c.total}\n`
  return head + table([
    ['HOST', 'ID', 'STATE', 'EXIT', 'ERROR'],
    ...j.hosts.map(h => [h.hostname, h.hostId, h.state, h.exitCode === null ? '-' : String(h.exitCode), h.error === null ? '' : `${h.error.code}: ${h.error.message}`])
  ])
}

/** True when every host completed with exit code 0 (what `--wait` exits 0 for). */
export function allSucceeded (j: JobDetail): boolean {
  return j.hosts.every(h => h.state === 'completed' && h.exitCode === 0)
}
