// The console issue's whole story, in headless Chromium at a phone's and a desktop's size: an
// operator is logged in; a real agent's real filesystem (loop-mounted) fills past 90 %; the host
// turns faulty in the list without a reload; the mail reaches a real SMTP server; its link, opened
// in a fresh browser, leads through the login to that host; the operator acknowledges the alert;
// the agent recovers and the alert resolves on screen. Needs root (the loop mount), as CI has.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { test } from 'node:test'
import { createAgent, enrollAgent, parseAgentConfig } from '@outpost/agent'
import { mountLoopFilesystem, runAxe, saveScreenshot, seriousViolations, startBrowser, startHub, startSmtpSink } from '@outpost/testkit'
import { ensureBuilt } from './helpers/built-console.ts'
import { logIn } from './helpers/hub-console.ts'
import { VIEWPORTS, watchPage } from './helpers/page-watch.ts'

const PASSWORD = 'correct horse battery staple'
const ONCALL = 'oncall@example.test'

test('threshold breach → faulty host → mail → link → acknowledge → resolved, on a phone and a desktop', { timeout: 240_000 }, async (t) => {
  const cleanups: Array<() => unknown> = []
  t.after(async () => { for (const c of cleanups.reverse()) await c() })
  const loop = mountLoopFilesystem()
  cleanups.push(() => loop.cleanup())
  const sink = await startSmtpSink()
  cleanups.push(() => sink.cleanup())
  const hub = await startHub({
    config: { consoleDir: ensureBuilt(), adminEmail: ONCALL, notify: { smtp: { url: sink.url, from: 'outpost@example.test', tlsInsecure: false } } }
  })
  cleanups.push(() => hub.cleanup())
  await hub.hub.ensureAdminUser(PASSWORD)

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-flow-agent-'))
  cleanups.push(() => fs.rmSync(stateDir, { recursive: true, force: true }))
  const { agentId } = await enrollAgent({ token: await hub.enrollToken('web'), stateDir })
  const agent = createAgent(parseAgentConfig({ stateDir, intervalMs: 60_000, thresholdCheckMs: 500, logLevel: 'silent' }))
  cleanups.push(() => agent.stop())
  await agent.start()
  await once(agent, 'acked', { signal: AbortSignal.timeout(20_000) })

  const { browser, cleanup } = await startBrowser()
  cleanups.push(cleanup)
  const metric = `fs.used_pct[${loop.mountPoint}]`

  for (const vp of VIEWPORTS) {
    await t.test(`${vp.width}×${vp.height}`, async () => {
      const size = { viewport: { width: vp.width, height: vp.height }, ignoreHTTPSErrors: true }
      const shot = (page: import('playwright-core').Page, name: string) => saveScreenshot(page, `flow-${name}-${vp.width}x${vp.height}`)

      // An operator watches the host list.
      const watcherContext = await browser.newContext(size)
      const watcher = await watcherContext.newPage()
      const watcherProblems = watchPage(watcher)
      await watcher.goto(`${hub.url}/`)
      await watcher.waitForURL(u => u.pathname === '/login')
      await logIn(watcher, 'admin', PASSWORD)
      const row = watcher.locator(`a.host-row[href="/hosts/${agentId}"]`)
      await row.waitFor()
      assert.doesNotMatch(await row.getAttribute('class') ?? '', /health-critical/)

      // The fault: the filesystem fills past 90 %; the host turns critical without a reload.
      const mailsBefore = sink.messages.length
      loop.fillTo(95)
      await watcher.locator(`a.host-row.health-critical[href="/hosts/${agentId}"]`).waitFor({ timeout: 30_000 })
      assert.match(await row.innerText(), /critical/)
      await shot(watcher, 'host-list-faulty')

      // The mail names the server, the fault and its detail, and links to the host's page.
      const mail = await sink.waitForMessage(m => sink.messages.indexOf(m) >= mailsBefore && m.subject?.startsWith('[CRITICAL]') === true && m.subject.includes(metric), 30_000)
      assert.deepEqual(sink.envelopes[sink.messages.indexOf(mail)]?.to, [ONCALL])
      const link = /https:\/\/\S+\/hosts\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0]
      assert.equal(link !== undefined && new URL(link).pathname, `/hosts/${agentId}`, 'the mail links to the host page')

      // Following the link in a fresh browser: log in, land on that host, see the alert.
      const context = await browser.newContext(size)
      const page = await context.newPage()
      const problems = watchPage(page)
      await page.goto(link ?? '')
      await page.waitForURL(u => u.pathname === '/login')
      await logIn(page, 'admin', PASSWORD)
      await page.waitForURL(u => u.pathname === `/hosts/${agentId}`)
      const card = page.locator('section.host-alerts li.alert-card', { hasText: metric })
      await card.waitFor()
      assert.match(await card.innerText(), /critical[\s\S]*firing/)
      assert.deepEqual(seriousViolations(await runAxe(page)), [], 'host page with an alert: accessibility')
      await shot(page, 'host-alert-firing')

      // Acknowledge it.
      await card.getByRole('button', { name: 'Acknowledge' }).click()
      await card.getByText('acknowledged', { exact: true }).waitFor()
      assert.match(await card.innerText(), /acknowledged by (user:)?admin/)
      await shot(page, 'host-alert-acknowledged')

      // The agent recovers: the alert resolves on screen, and the host is no longer faulty.
      loop.empty()
      await card.getByText('resolved', { exact: true }).waitFor({ timeout: 30_000 })
      await watcher.locator(`a.host-row[href="/hosts/${agentId}"]:not(.health-critical)`).waitFor({ timeout: 30_000 })
      await shot(page, 'host-alert-resolved')
      await shot(watcher, 'host-list-recovered')
      assert.deepEqual([...problems.problems, ...watcherProblems.problems], [], 'no page errors or CSP violations')
      await context.close()
      await watcherContext.close()
    })
  }
})
