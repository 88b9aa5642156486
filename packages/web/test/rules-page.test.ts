import assert from 'node:assert/strict'
import { test } from 'node:test'
import { api, runAxe, saveScreenshot, seriousViolations, startBrowser, startHub, type TestHub } from '@outpost/testkit'
import type { Browser, Page } from 'playwright-core'
import { ensureBuilt } from './helpers/built-console.ts'
import { createUser, logIn } from './helpers/hub-console.ts'
import { VIEWPORTS, watchPage } from './helpers/page-watch.ts'

const PASSWORD = 'correct horse battery staple'
const FS_RULE = 'default-filesystem-full'
const FS_NAME = 'Filesystem at least 90 % full'

interface RuleJson { id: string, name: string, enabled: boolean, condition: { type: string, value?: number, missedIntervals?: number }, notify: { emails: string[] } }
interface SilenceJson { id: string, reason: string, startsAt: string, endsAt: string, scope: { type: string } }

async function checkA11y (page: Page, what: string): Promise<void> {
  const bad = seriousViolations(await runAxe(page))
  assert.deepEqual(bad, [], `${what}: ${JSON.stringify(bad, null, 2)}`)
}

async function apiRules (hub: TestHub): Promise<RuleJson[]> {
  const r = await api(hub.url, hub.adminToken, '/alert-rules')
  assert.equal(r.status, 200)
  return r.json as RuleJson[]
}

async function apiSilences (hub: TestHub): Promise<SilenceJson[]> {
  const r = await api(hub.url, hub.adminToken, '/silences')
  assert.equal(r.status, 200)
  return r.json as SilenceJson[]
}

async function openRules (page: Page, hub: TestHub, user: string): Promise<void> {
  await page.goto(`${hub.url}/login`)
  await logIn(page, user, PASSWORD)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Rules/ }).click()
  await page.waitForURL(u => u.pathname === '/rules')
  await page.getByRole('heading', { level: 1, name: 'Rules' }).waitFor()
  await page.getByTestId(`rule-${FS_RULE}`).waitFor()
}

async function adminFlow (page: Page, hub: TestHub, shot: (name: string) => Promise<unknown>): Promise<void> {
  const fsCard = page.getByTestId(`rule-${FS_RULE}`)
  assert.equal(await fsCard.getByTestId('condition').textContent(), 'fs.used_pct[*] ≥ 90 for 0 s')
  await checkA11y(page, 'rules (admin)')
  await shot('rules-admin')

  // Edit the threshold; a bad metric is refused before sending, a bad webhook by the hub.
  await page.getByRole('button', { name: `Edit ${FS_NAME}` }).click()
  await page.getByLabel('Threshold', { exact: true }).fill('85')
  await page.getByLabel(/^Metric/).fill('Not A Metric')
  await page.getByRole('button', { name: 'Save rule' }).click()
  assert.match(await page.getByRole('alert').textContent() ?? '', /^Metric: /)
  await page.getByLabel(/^Metric/).fill('fs.used_pct[*]')
  await page.getByLabel(/^Notify webhooks/).fill('http://exa mple.test/hook')
  await page.getByRole('button', { name: 'Save rule' }).click()
  assert.match(await page.getByRole('alert').textContent() ?? '', /webhook URL is not a valid URL/)
  await checkA11y(page, 'rule form')
  await shot('rule-edit')
  await page.getByLabel(/^Notify webhooks/).fill('')
  await page.getByRole('button', { name: 'Save rule' }).click()
  await page.getByRole('status').filter({ hasText: `Rule ${FS_NAME} saved.` }).waitFor()
  await fsCard.getByTestId('condition').filter({ hasText: '≥ 85' }).waitFor()
  assert.equal(await fsCard.getByTestId('condition').textContent(), 'fs.used_pct[*] ≥ 85 for 0 s')
  assert.equal((await apiRules(hub)).find(r => r.id === FS_RULE)?.condition.value, 85, 'the API shows the new threshold')

  // Disable, then enable again.
  await page.getByRole('button', { name: `Disable ${FS_NAME}` }).click()
  await page.getByRole('button', { name: `Enable ${FS_NAME}` }).waitFor()
  assert.equal((await apiRules(hub)).find(r => r.id === FS_RULE)?.enabled, false)
  await page.getByRole('button', { name: `Enable ${FS_NAME}` }).click()
  await page.getByRole('button', { name: `Disable ${FS_NAME}` }).waitFor()
  assert.equal((await apiRules(hub)).find(r => r.id === FS_RULE)?.enabled, true)

  // Create a host-offline rule, then delete it after confirming.
  await page.getByRole('button', { name: 'New rule' }).click()
  await page.getByLabel('Name', { exact: true }).fill('Web hosts offline')
  await page.getByLabel('Severity', { exact: true }).selectOption('critical')
  await page.getByLabel('Fires when', { exact: true }).selectOption('host-offline')
  await page.getByLabel('Missed intervals', { exact: true }).fill('5')
  await page.getByLabel(/^Notify e-mails/).fill('ops@example.test, oncall@example.test')
  await page.getByRole('button', { name: 'Create rule' }).click()
  await page.getByRole('status').filter({ hasText: 'Rule Web hosts offline created.' }).waitFor()
  const created = (await apiRules(hub)).find(r => r.name === 'Web hosts offline')
  assert.deepEqual(created?.condition, { type: 'host-offline', missedIntervals: 5 })
  assert.deepEqual(created?.notify.emails, ['ops@example.test', 'oncall@example.test'])
  await page.getByRole('button', { name: 'Delete Web hosts offline' }).click()
  await page.getByRole('button', { name: 'Yes, delete' }).click()
  await page.getByRole('status').filter({ hasText: 'Rule Web hosts offline deleted.' }).waitFor()
  assert.equal((await apiRules(hub)).some(r => r.name === 'Web hosts offline'), false, 'the rule is gone')

  // A maintenance window tomorrow, 02:00 to 04:00 in the browser's local time.
  const [start, end] = await page.evaluate(() => {
    const p = (n: number): string => String(n).padStart(2, '0')
    const d = new Date(); d.setDate(d.getDate() + 1)
    const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
    return [`${day}T02:00`, `${day}T04:00`]
  })
  await page.getByLabel(/^Start/).fill(start ?? '')
  await page.getByLabel(/^End/).fill(end ?? '')
  await page.getByLabel('Reason', { exact: true }).fill('kernel upgrade')
  await page.getByRole('button', { name: 'Schedule' }).click()
  await page.getByRole('status').filter({ hasText: 'Maintenance window scheduled.' }).waitFor()
  const [silence] = await apiSilences(hub)
  assert.equal(silence?.reason, 'kernel upgrade')
  assert.ok(Date.parse(silence.startsAt) > Date.now(), 'it starts in the future')
  const row = page.getByTestId(`silence-${silence.id}`)
  assert.match(await row.textContent() ?? '', /scheduled.*all hosts.*all rules.*kernel upgrade/)
  await checkA11y(page, 'maintenance windows')
  await shot('maintenance')
  await row.getByRole('button', { name: 'Delete maintenance window: kernel upgrade' }).click()
  await page.getByRole('status').filter({ hasText: 'Maintenance window deleted.' }).waitFor()
  assert.deepEqual(await apiSilences(hub), [])
}

async function viewerFlow (browser: Browser, hub: TestHub, vp: { width: number, height: number }): Promise<void> {
  const context = await browser.newContext({ viewport: vp, ignoreHTTPSErrors: true })
  const page = await context.newPage()
  const watch = watchPage(page)
  await openRules(page, hub, 'vera')
  assert.equal(await page.getByRole('list', { name: 'Alert rules' }).getByRole('listitem').count(), (await apiRules(hub)).length, 'the viewer sees every rule')
  for (const name of [/^Edit /, /^Disable /, /^Delete /, 'New rule', 'Schedule']) {
    assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${String(name)} button for a viewer`)
  }
  await page.getByText('Only administrators change rules.').waitFor()
  await checkA11y(page, 'rules (viewer)')
  await saveScreenshot(page, `rules-viewer-${vp.width}x${vp.height}`)
  assert.deepEqual(watch.problems, [])
  await context.close()
}

// The rules page against a real hub, in headless Chromium, at a phone and a desktop size.
test('rules page: admin edits, toggles, creates and deletes rules, schedules maintenance; a viewer only reads', async (t) => {
  const { browser, cleanup } = await startBrowser()
  t.after(cleanup)
  for (const vp of VIEWPORTS) {
    await t.test(`${vp.width}×${vp.height}`, async (t) => {
      const hub = await startHub({ config: { consoleDir: ensureBuilt() } })
      t.after(() => hub.cleanup())
      await createUser(hub, 'alice', PASSWORD, 'admin')
      await createUser(hub, 'vera', PASSWORD, 'viewer')
      const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, ignoreHTTPSErrors: true })
      t.after(() => context.close())
      const page = await context.newPage()
      const watch = watchPage(page)
      await openRules(page, hub, 'alice')
      await adminFlow(page, hub, (name) => saveScreenshot(page, `${name}-${vp.width}x${vp.height}`))
      assert.deepEqual(watch.problems, [])
      // Closed before the hub stops (the after hooks), so the hub has no open console connection to wait for.
      await context.close()
      await viewerFlow(browser, hub, { width: vp.width, height: vp.height })
    })
  }
})
