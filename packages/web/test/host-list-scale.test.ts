import assert from 'node:assert/strict'
import { test } from 'node:test'
import { enrollSimulatedAgent, saveScreenshot, startBrowser, startHub } from '@outpost/testkit'
import { ensureBuilt } from './helpers/built-console.ts'
import { createUser, logIn, missingHubEndpoints } from './helpers/hub-console.ts'

const HOSTS = 2000
const BATCH = 50

// 2,000 enrolled hosts: the list stays windowed (a bounded number of rows in the DOM) and
// scrolling to the end shows the last host. Smoothness is a property of the DOM size checked here;
// no frame timing is asserted.
test('the host list windows 2,000 real hosts', async (t) => {
  const hub = await startHub({ config: { consoleDir: ensureBuilt() } })
  t.after(() => hub.cleanup())
  const missing = await missingHubEndpoints(hub)
  assert.deepEqual(missing, [], 'the hub serves the console and its session API')
  await createUser(hub, 'viewer1', 'correct horse battery staple', 'viewer')
  for (let i = 0; i < HOSTS; i += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, HOSTS - i) }, async (_, j) =>
      enrollSimulatedAgent(hub.url, await hub.enrollToken('scale'), `load-${String(i + j).padStart(4, '0')}`)))
  }
  const { browser, cleanup } = await startBrowser()
  t.after(cleanup)
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, ignoreHTTPSErrors: true })
  const page = await context.newPage()
  await page.goto(`${hub.url}/`)
  await page.waitForURL(u => u.pathname === '/login')
  await logIn(page, 'viewer1', 'correct horse battery staple')
  await page.getByTestId('host-count').filter({ hasText: `${HOSTS} hosts` }).waitFor({ timeout: 30_000 })
  const rows = await page.locator('.vlist-row').count()
  assert.ok(rows > 0 && rows <= 80, `${rows} rows in the DOM for ${HOSTS} hosts`)
  await page.evaluate('window.scrollTo(0, document.body.scrollHeight)')
  await page.getByText('load-1999').waitFor()
  assert.ok((await page.locator('.vlist-row').count()) <= 80)
  await saveScreenshot(page, 'hub-hosts-2000-end-390x844')
  await context.close()
})
