// Jobs and roles in Chromium against a real hub and a real agent: an operator creates a job in
// the form, follows it to its page and reads the host's state, exit code and output; the job list
// shows it with its counts. A viewer sees the same pages read-only: no operate button anywhere.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runAxe, saveScreenshot, seriousViolations } from '@outpost/testkit'
import type { Page } from 'playwright-core'
import { startOpsFixture } from './helpers/ops-fixture.ts'
import { VIEWPORTS } from './helpers/page-watch.ts'

async function checkA11y (page: Page, what: string): Promise<void> {
  const bad = seriousViolations(await runAxe(page))
  assert.deepEqual(bad, [], `${what}: ${JSON.stringify(bad, null, 2)}`)
}

/** Buttons that change something on a host or start a job. */
const OPERATE = /^(Open terminal|New session|New job|Upload|Kill|Continue|Start|Stop|Restart|Enable|Disable|Install|Remove|Upgrade|Edit|Save|Cancel job|Play)\b/

test('jobs page shows a job\'s per-host results; a viewer sees no operate buttons', { timeout: 240_000 }, async (t) => {
  const fx = await startOpsFixture(t)
  for (const vp of VIEWPORTS) {
    await t.test(`operator creates a job, ${vp.width}×${vp.height}`, async () => {
      const shot = (page: Page, name: string) => saveScreenshot(page, `ops-jobs-${name}-${vp.width}x${vp.height}`)
      const { page, problems } = await fx.open('oper', '/jobs', vp)
      await page.getByRole('button', { name: 'New job' }).click()
      const form = page.getByTestId('job-form')
      await form.getByLabel('Name').fill(`say hi ${vp.name}`)
      await form.getByLabel(/^Command/).fill(`echo job-ran-${vp.name}`)
      await form.getByRole('checkbox', { name: /\(web\)$/ }).first().check()
      await checkA11y(page, 'job form')
      await shot(page, 'form')
      await form.getByRole('button', { name: 'Run the job now' }).click()
      await page.waitForURL(u => u.pathname.startsWith('/jobs/'), { timeout: 30_000 })
      const hostsTable = page.getByTestId('job-hosts')
      await hostsTable.getByRole('cell', { name: 'completed', exact: true }).waitFor({ timeout: 60_000 })
      const row = hostsTable.locator('tbody tr').first()
      assert.equal(await row.locator('td').nth(2).innerText(), '0', 'exit code 0')
      await page.getByTestId('job-counts').filter({ hasText: '1 completed' }).waitFor({ timeout: 30_000 })
      await row.getByRole('button', { name: /^Output on/ }).click()
      await page.getByTestId('command-output').getByLabel('stdout').filter({ hasText: `job-ran-${vp.name}` }).waitFor({ timeout: 30_000 })
      await checkA11y(page, 'job detail')
      await shot(page, 'detail')

      await page.getByRole('link', { name: '← All jobs' }).click()
      const card = page.getByTestId('job-list').locator('li', { hasText: `say hi ${vp.name}` })
      await card.waitFor()
      assert.match(await card.innerText(), /1 completed/)
      assert.equal(await card.locator('progress').getAttribute('value'), '100')
      await shot(page, 'list')
      assert.deepEqual(problems, [], 'no page errors or CSP violations')
    })
  }
  for (const vp of VIEWPORTS) {
    await t.test(`viewer is read-only, ${vp.width}×${vp.height}`, async () => {
      const { page, problems } = await fx.open('viewer', '/jobs', vp)
      await page.getByTestId('job-list').locator('li').first().waitFor({ timeout: 30_000 })
      assert.equal(await page.getByRole('button', { name: OPERATE }).count(), 0, 'jobs list')
      await page.getByTestId('job-list').getByRole('link').first().click()
      await page.getByTestId('job-hosts').waitFor()
      assert.equal(await page.getByRole('button', { name: OPERATE }).count(), 0, 'job detail')
      for (const section of ['terminal', 'files', 'processes', 'services', 'packages', 'power']) {
        await page.goto(`${fx.hub.url}/hosts/${fx.agentId}/${section}`)
        await page.getByTestId('viewer-note').waitFor({ timeout: 30_000 })
        assert.equal(await page.getByRole('button', { name: OPERATE }).count(), 0, `${section} section`)
      }
      await checkA11y(page, 'viewer power section')
      await saveScreenshot(page, `ops-viewer-terminal-${vp.width}x${vp.height}`)
      assert.deepEqual(problems, [], 'no page errors or CSP violations')
    })
  }
})
