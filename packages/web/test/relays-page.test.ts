// Relays in Chromium against a real hub and two real agents on loopback: one relays (it listens on
// 127.0.0.1) and the other reaches the hub only through it. The relays page shows the relay ok
// with its one downstream agent; the relay's host page shows its load; the host behind it shows
// its path and its upstream; the host list says "via". Then the relay stops: it turns offline
// and the host behind it unreachable, on screen without a reload. Intervals are 1 s so that
// "three missed intervals" comes quickly.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { test } from 'node:test'
import { createAgent, enrollAgent, parseAgentConfig, type Agent } from '@outpost/agent'
import { runAxe, saveScreenshot, seriousViolations, startBrowser, startHub, type TestHub } from '@outpost/testkit'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { ensureBuilt } from './helpers/built-console.ts'
import { logIn } from './helpers/hub-console.ts'
import { VIEWPORTS, watchPage } from './helpers/page-watch.ts'

const PASSWORD = 'correct horse battery staple'
const INTERVAL_MS = 1000
const RELAY_NAME = 'gw-1'
const LEAF_NAME = 'leaf-1'

type Cleanups = Array<() => unknown>

/** Enrolls (through `upstreams` when given) and starts a real agent named `name`; with `relay` it relays on 127.0.0.1. */
async function startSiteAgent (hub: TestHub, cleanups: Cleanups, opts: { name: string, relay?: boolean, upstreams?: string[] }): Promise<{ agent: Agent, agentId: string, relayUrl: string }> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-web-relay-'))
  cleanups.push(() => fs.rmSync(stateDir, { recursive: true, force: true }))
  const upstreams = opts.upstreams ?? []
  const { agentId } = await enrollAgent({ token: await hub.enrollToken(), stateDir, upstreams, hostname: opts.name })
  const agent = createAgent(parseAgentConfig({
    stateDir, intervalMs: INTERVAL_MS, pollWaitMs: 5_000, thresholds: [], backoff: { minMs: 50, maxMs: 300 }, upstreams, upstreamRetryMs: 200,
    logLevel: 'silent', ...(opts.relay === true ? { relayListen: '127.0.0.1:0' } : {})
  }))
  cleanups.push(() => agent.stop())
  const acked = once(agent, 'acked', { signal: AbortSignal.timeout(30_000) })
  await agent.start()
  await acked
  const port = agent.relay?.address.port
  return { agent, agentId, relayUrl: port === undefined ? '' : `relay://127.0.0.1:${port}` }
}

/**
 * A fresh browser context logged in as admin on `p`. The hub allows a user four event streams
 * (one per open console): a test closes each context when done with it.
 */
async function openAs (browser: Browser, hub: TestHub, cleanups: Cleanups, p: string, size: { width: number, height: number }): Promise<{ page: Page, problems: string[], context: BrowserContext }> {
  const context = await browser.newContext({ viewport: size, ignoreHTTPSErrors: true })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  const { problems } = watchPage(page)
  await page.goto(`${hub.url}${p}`)
  await page.waitForURL(u => u.pathname === '/login')
  await logIn(page, 'admin', PASSWORD)
  await page.waitForURL(u => u.pathname === p)
  return { page, problems, context }
}

async function checkA11y (page: Page, what: string): Promise<void> {
  const bad = seriousViolations(await runAxe(page))
  assert.deepEqual(bad, [], `${what}: ${JSON.stringify(bad, null, 2)}`)
}

test('relays page, a host\'s path and a relay\'s load; the relay stops and the host behind it is unreachable', { timeout: 240_000 }, async (t) => {
  // One hook undoes everything in reverse: browsers before agents, agents before the hub.
  const cleanups: Cleanups = []
  t.after(async () => { for (const c of cleanups.reverse()) await c() })
  const hub = await startHub({ config: { consoleDir: ensureBuilt(), agentIntervalMs: INTERVAL_MS } })
  cleanups.push(() => hub.cleanup())
  await hub.hub.ensureAdminUser(PASSWORD)
  const relay = await startSiteAgent(hub, cleanups, { name: RELAY_NAME, relay: true })
  const leaf = await startSiteAgent(hub, cleanups, { name: LEAF_NAME, upstreams: [relay.relayUrl] })
  assert.ok(relay.agent.relay!.server.stats.connections > 0, 'the leaf reached the hub through the relay')
  const { browser, cleanup } = await startBrowser()
  cleanups.push(cleanup)
  const listen = relay.relayUrl.slice('relay://'.length)

  for (const vp of VIEWPORTS) {
    await t.test(`${vp.width}×${vp.height}`, async () => {
      const shot = (page: Page, name: string) => saveScreenshot(page, `relays-${name}-${vp.width}x${vp.height}`)
      const { page, problems, context } = await openAs(browser, hub, cleanups, '/relays', vp)
      const row = page.locator(`[data-testid="relay-row"][data-relay="${relay.agentId}"]`)
      // The relay's first report may predate the leaf: its downstream count shows up with a later one.
      await row.getByTestId('relay-downstream').filter({ hasText: /^1 agent$/ }).waitFor({ timeout: 30_000 })
      assert.equal(await row.getAttribute('data-health'), 'ok')
      const text = await row.innerText()
      assert.match(text, /\bOK\b/)
      assert.ok(text.includes(listen), `the row names where the relay listens (${listen})`)
      assert.match(await row.getByTestId('relay-behind').innerText(), /^1 host behind$/)
      assert.equal(await page.getByTestId('relay-row').count(), 1, 'the leaf is no relay')
      await checkA11y(page, 'relays page')
      await shot(page, 'list')

      // The row leads to the relay's host page, which shows what it carries.
      await row.getByRole('link', { name: RELAY_NAME }).click()
      await page.waitForURL(u => u.pathname === `/hosts/${relay.agentId}`)
      const load = page.getByTestId('relay-load')
      await load.getByTestId('relay-load-downstream').filter({ hasText: /^1 agent$/ }).waitFor({ timeout: 30_000 })
      assert.ok((await load.innerText()).includes(listen))
      await checkA11y(page, 'relay host page')
      await shot(page, 'relay-host')

      // The host behind it: its path names the relay (a link to it) and its upstream is the preferred one.
      await page.goto(`${hub.url}/hosts/${leaf.agentId}`)
      const link = page.getByTestId('host-link')
      await link.getByRole('link', { name: RELAY_NAME }).waitFor({ timeout: 30_000 })
      assert.equal((await link.getByTestId('hop-path').innerText()).trim(), `Hub ← ${RELAY_NAME} ← this host`)
      assert.equal(await link.getByRole('link', { name: RELAY_NAME }).getAttribute('href'), `/hosts/${relay.agentId}`)
      assert.match(await link.getByTestId('host-upstream').innerText(), new RegExp(`via ${relay.relayUrl.replaceAll('.', '\\.')}, upstream #1 of the list \\(preferred\\)`))
      assert.equal(await page.getByTestId('relay-load').count(), 0, 'a host that relays nothing has no relay card')
      await checkA11y(page, 'host behind a relay')
      await shot(page, 'leaf-host')

      // The host list: the leaf's row says through which relay.
      await page.goto(`${hub.url}/`)
      const leafRow = page.locator(`a.host-row[href="/hosts/${leaf.agentId}"]`)
      assert.equal(await leafRow.getByTestId('host-via').innerText(), `via ${RELAY_NAME}`)
      assert.equal(await page.locator(`a.host-row[href="/hosts/${relay.agentId}"]`).getByTestId('host-via').count(), 0, 'the relay reaches the hub directly')
      await checkA11y(page, 'host list with a relayed host')
      await shot(page, 'host-list')
      assert.deepEqual(problems, [], 'no page errors or CSP violations')
      await context.close()
    })
  }

  await t.test('the relay stops: offline, and the host behind it unreachable, without a reload', async () => {
    const open = await Promise.all(VIEWPORTS.map(vp => openAs(browser, hub, cleanups, '/relays', vp)))
    const leafPage = await openAs(browser, hub, cleanups, `/hosts/${leaf.agentId}`, VIEWPORTS[0])
    for (const { page } of open) await page.locator(`[data-relay="${relay.agentId}"][data-health="ok"]`).waitFor({ timeout: 30_000 })
    await relay.agent.stop()
    for (const { page } of open) {
      const row = page.locator(`[data-testid="relay-row"][data-relay="${relay.agentId}"][data-health="offline"]`)
      await row.getByTestId('relay-behind').filter({ hasText: /^1 host behind · 1 unreachable$/ }).waitFor({ timeout: 30_000 })
      assert.match(await row.innerText(), /\bOffline\b/)
      await checkA11y(page, 'relays page with an offline relay')
    }
    await leafPage.page.locator('.host-head .badge-offline').waitFor({ timeout: 30_000 })
    for (const [i, { page }] of open.entries()) {
      const vp = VIEWPORTS[i]!
      await saveScreenshot(page, `relays-offline-${vp.width}x${vp.height}`)
    }
    await saveScreenshot(leafPage.page, `relays-leaf-unreachable-${VIEWPORTS[0].width}x${VIEWPORTS[0].height}`)
    // One alert, on the relay, names the host cut off; the host behind it raises none of its own.
    await leafPage.page.locator('section.host-alerts').getByText('No open alerts.').waitFor()
    const phone = open[0]!.page
    await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click()
    const card = phone.locator('li.alert-card', { hasText: `unreachable behind relay ${RELAY_NAME}` })
    await card.waitFor({ timeout: 30_000 })
    assert.match(await card.innerText(), new RegExp(`${RELAY_NAME}: ${LEAF_NAME}`))
    assert.equal(await phone.locator('li.alert-card', { hasText: LEAF_NAME }).count(), 1, 'no host-offline alert for the host behind the relay')
    await checkA11y(phone, 'alerts with a relay alert')
    await saveScreenshot(phone, `relays-alert-${VIEWPORTS[0].width}x${VIEWPORTS[0].height}`)
    assert.deepEqual([...open.flatMap(o => o.problems), ...leafPage.problems], [], 'no page errors or CSP violations')
  })
})
