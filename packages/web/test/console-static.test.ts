import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runAxe, saveScreenshot, seriousViolations, startBrowser } from '@outpost/testkit'
import { ensureBuilt } from './helpers/built-console.ts'
import { VIEWPORTS, watchPage } from './helpers/page-watch.ts'
import { serveDist } from './helpers/static-server.ts'

// Pure-client checks of the built console under its strict CSP; no hub is involved, so nothing
// here needs a session. The flows against a real hub are in console-hub.test.ts.
test('the built console loads under a strict CSP, sends a deep link to login, and the login page is accessible', async (t) => {
  const dist = ensureBuilt()
  const server = await serveDist(dist)
  t.after(() => server.close())
  const { browser, cleanup } = await startBrowser()
  t.after(cleanup)
  for (const vp of VIEWPORTS) {
    await t.test(`${vp.width}×${vp.height}`, async () => {
      const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } })
      const page = await context.newPage()
      const watch = watchPage(page)
      await page.goto(`${server.url}/hosts/web-1/command?tab=1`)
      await page.waitForURL(u => u.pathname === '/login', { timeout: 15_000 })
      assert.equal(new URL(page.url()).searchParams.get('next'), '/hosts/web-1/command?tab=1', 'the deep link is kept for after login')
      await page.getByLabel('User').waitFor()
      assert.equal(await page.getByLabel('Password').getAttribute('type'), 'password')
      assert.ok(await page.getByRole('button', { name: 'Log in' }).isVisible())
      const box = await page.getByRole('button', { name: 'Log in' }).boundingBox()
      assert.ok(box !== null && box.height >= 44, 'tap target at least 44 px high')
      const bad = seriousViolations(await runAxe(page))
      assert.deepEqual(bad, [], JSON.stringify(bad, null, 2))
      await saveScreenshot(page, `static-login-${vp.width}x${vp.height}`)
      assert.deepEqual(watch.problems, [])
      await context.close()
    })
  }
})
