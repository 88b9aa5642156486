import assert from 'node:assert/strict'
import os from 'node:os'
import { test } from 'node:test'
import { runAxe, saveScreenshot, seriousViolations, startBrowser, startHub } from '@outpost/testkit'
import type { Page } from 'playwright-core'
import { ensureBuilt } from './helpers/built-console.ts'
import { createUser, logIn, missingHubEndpoints, startRealAgent } from './helpers/hub-console.ts'
import { VIEWPORTS, watchPage } from './helpers/page-watch.ts'

const PASSWORD = 'correct horse battery staple'

async function checkA11y (page: Page, what: string): Promise<void> {
  const bad = seriousViolations(await runAxe(page))
  assert.deepEqual(bad, [], `${what}: ${JSON.stringify(bad, null, 2)}`)
}

// The console against a real hub and a real enrolled agent, in headless Chromium.
test('console on a real hub: deep link survives login, host list, host sections, remote command, admin pages', async (t) => {
  const hub = await startHub({ config: { consoleDir: ensureBuilt() } })
  t.after(() => hub.cleanup())
  const missing = await missingHubEndpoints(hub)
  assert.deepEqual(missing, [], 'the hub serves the console and its session API')
  await createUser(hub, 'alice', PASSWORD, 'admin')
  const { agentId } = await startRealAgent(t, hub)
  const { browser, cleanup } = await startBrowser()
  t.after(cleanup)
  for (const vp of VIEWPORTS) {
    await t.test(`${vp.width}×${vp.height}`, async () => {
      const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, ignoreHTTPSErrors: true })
      const page = await context.newPage()
      const watch = watchPage(page)
      const shot = (name: string) => saveScreenshot(page, `hub-${name}-${vp.width}x${vp.height}`)

      await page.goto(`${hub.url}/hosts/${agentId}/command`)
      await page.waitForURL(u => u.pathname === '/login')
      await checkA11y(page, 'login')
      await shot('login')
      await logIn(page, 'alice', PASSWORD)
      await page.waitForURL(u => u.pathname === `/hosts/${agentId}/command`)

      await page.getByLabel(/^Command/).fill(`${process.execPath} -e "console.log('hello from ' + 6 * 7)"`)
      await page.getByRole('button', { name: 'Run' }).click()
      await page.getByTestId('exit-code').waitFor({ timeout: 40_000 })
      assert.equal(await page.getByTestId('exit-code').textContent(), '0')
      assert.equal((await page.getByTestId('stdout').textContent())?.trim(), 'hello from 42')
      await checkA11y(page, 'remote command')
      await shot('command')

      for (const section of ['monitoring', 'hardware', 'software', 'system', 'files']) {
        await page.getByRole('navigation', { name: 'Host operations' }).getByRole('link', { name: new RegExp(section === 'monitoring' ? 'Charts' : section, 'i') }).click()
        await page.waitForURL(u => u.pathname === `/hosts/${agentId}/${section}`)
        if (section === 'files') await page.getByTestId('file-table').getByRole('link', { name: 'Directory etc/' }).waitFor({ timeout: 30_000 })
        if (section === 'system') await page.getByRole('heading', { name: 'Listening ports' }).waitFor()
        await checkA11y(page, section)
        await shot(`host-${section}`)
      }

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Hosts/ }).click()
      await page.getByRole('list', { name: 'Hosts' }).getByText(os.hostname()).waitFor()
      await checkA11y(page, 'host list')
      await shot('hosts')

      for (const [href, name] of [['/alerts', 'Alerts'], ['/audit', 'Audit log'], ['/users', 'Users']] as const) {
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(name.split(' ')[0] ?? name) }).click()
        await page.waitForURL(u => u.pathname === href)
        await page.getByRole('heading', { level: 1, name }).waitFor()
        await checkA11y(page, name)
        await shot(href.slice(1))
      }
      assert.deepEqual(watch.problems, [])
      await context.close()
    })
  }
})
