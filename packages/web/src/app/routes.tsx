import type { VNode } from 'preact'
import { HostListPage } from '../pages/host-list-page.tsx'
import { HostPage } from '../pages/host-page.tsx'
import { AlertsPage } from '../pages/alerts-page.tsx'
import { AuditPage } from '../pages/audit-page.tsx'
import { UsersPage } from '../pages/users-page.tsx'
import { RulesPage } from '../pages/rules-page.tsx'
import { JobsPage } from '../pages/ops/jobs-page.tsx'
import { JobDetailPage } from '../pages/ops/job-detail-page.tsx'
import { RelaysPage } from '../pages/relays/relays-page.tsx'

/** The page for a path (after login), or null for "not found". */
export function pageFor (path: string): VNode | null {
  if (path === '/') return <HostListPage />
  const host = /^\/hosts\/([A-Za-z0-9_-]{1,64})(?:\/([a-z-]+))?$/.exec(path)
  if (host?.[1] !== undefined) return <HostPage id={host[1]} section={host[2] ?? 'monitoring'} />
  if (path === '/relays') return <RelaysPage />
  if (path === '/alerts') return <AlertsPage />
  if (path === '/rules') return <RulesPage />
  if (path === '/jobs') return <JobsPage />
  const job = /^\/jobs\/([A-Za-z0-9_-]{1,64})$/.exec(path)
  if (job?.[1] !== undefined) return <JobDetailPage id={job[1]} />
  if (path === '/audit') return <AuditPage />
  if (path === '/users') return <UsersPage />
  return null
}
