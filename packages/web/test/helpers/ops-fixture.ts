import type { TestContext } from 'node:test'
import { startBrowser, startHub, type TestHub } from '@outpost/testkit'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { ensureBuilt } from './built-console.ts'
import { createUser, logIn, startRealAgent } from './hub-console.ts'
import { watchPage } from './page-watch.ts'

export const PASSWORD = 'correct horse battery staple'

/** A hub serving the built console, an admin, an operator and a viewer, one real agent, and Chromium. */
export interface OpsFixture {
  readonly hub: TestHub
  readonly agentId: string
  readonly browser: Browser
  /** A fresh browser context at `size`, logged in as `user`, on `path`; its problems are collected. */
  open (user: 'admin' | 'oper' | 'viewer', path: string, size: { width: number, height: number }): Promise<{ page: Page, context: BrowserContext, problems: string[] }>
}

/** Starts everything the operations pages need; cleaned up after the test. */
export async function startOpsFixture (t: TestContext): Promise<OpsFixture> {
  // One hook undoes everything in reverse: browsers (and their open event streams) go before the
  // agent, the agent before the hub. Separate `t.after` hooks would run in registration order.
  const cleanups: Array<() => unknown> = []
  t.after(async () => { for (const c of cleanups.reverse()) await c() })
  const hub = await startHub({ config: { consoleDir: ensureBuilt() } })
  cleanups.push(() => hub.cleanup())
  await hub.hub.ensureAdminUser(PASSWORD)
  await createUser(hub, 'oper', PASSWORD, 'operator')
  await createUser(hub, 'viewer', PASSWORD, 'viewer')
  const { agentId } = await startRealAgent({ after: (fn: () => unknown) => { cleanups.push(fn) } } as unknown as TestContext, hub)
  const { browser, cleanup } = await startBrowser()
  cleanups.push(cleanup)
  return {
    hub, agentId, browser,
    async open (user, path, size) {
      const context = await browser.newContext({ viewport: size, ignoreHTTPSErrors: true })
      cleanups.push(() => context.close())
      const page = await context.newPage()
      const { problems } = watchPage(page)
      await page.goto(`${hub.url}${path}`)
      await page.waitForURL(u => u.pathname === '/login')
      await logIn(page, user, PASSWORD)
      await page.waitForURL(u => u.pathname === path.split('?')[0])
      return { page, context, problems }
    }
  }
}
