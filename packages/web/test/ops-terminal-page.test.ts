// The terminal page in Chromium against a real hub and a real agent: open a terminal, type a
// command, read its output in the rendered terminal (xterm's rows in the DOM), exit and see the
// exit code, then replay the session's recording. At a phone's and a desktop's size, under the
// hub's Content-Security-Policy (no violation may be reported: xterm's styles are adopted sheets).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runAxe, saveScreenshot, seriousViolations } from '@outpost/testkit'
import type { Page } from 'playwright-core'
import { startOpsFixture } from './helpers/ops-fixture.ts'
import { VIEWPORTS } from './helpers/page-watch.ts'

/** The text of a terminal's rows as rendered (xterm's DOM renderer: one div per row). */
const rowsText = (page: Page, scope: string): Promise<string> => page.locator(`${scope} .xterm-rows`).innerText()

test('terminal page: type a command, read its output, exit code, replay the recording', { timeout: 240_000 }, async (t) => {
  const fx = await startOpsFixture(t)
  for (const vp of VIEWPORTS) {
    await t.test(`${vp.width}×${vp.height}`, async () => {
      const shot = (page: Page, name: string) => saveScreenshot(page, `ops-terminal-${name}-${vp.width}x${vp.height}`)
      const { page, problems } = await fx.open('oper', `/hosts/${fx.agentId}/terminal`, vp)
      await page.getByRole('button', { name: 'Open terminal' }).click()
      const state = page.getByTestId('terminal-state')
      await state.filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 })

      // The grid fits the screen: as wide as the page allows, never wider, never a sliver.
      const width = await page.locator('[data-testid="terminal"] .xterm-screen').evaluate(el => el.getBoundingClientRect().width)
      assert.ok(width <= vp.width && width > vp.width / 3, `terminal ${width}px wide on a ${vp.width}px screen`)
      await page.locator('[data-testid="terminal"] .xterm').click()
      await page.keyboard.type('echo hello-$((6*7))')
      await page.keyboard.press('Enter')
      // The typed line shows `$((6*7))`; only the shell's output says 42.
      await page.locator('[data-testid="terminal"] .xterm-rows').filter({ hasText: 'hello-42' }).waitFor({ timeout: 30_000 })
      assert.match(await rowsText(page, '[data-testid="terminal"]'), /hello-42/)
      const bad = seriousViolations(await runAxe(page))
      assert.deepEqual(bad, [], `live terminal: ${JSON.stringify(bad, null, 2)}`)
      await shot(page, 'live')

      await page.keyboard.type('exit 3')
      await page.keyboard.press('Enter')
      await state.filter({ hasText: 'exit code 3' }).waitFor({ timeout: 30_000 })
      await shot(page, 'ended')

      // The ended session is listed; its recording replays the same output.
      const play = page.getByTestId('session-table').getByRole('button', { name: /^Play recording/ }).first()
      await play.waitFor({ timeout: 30_000 })
      await play.click()
      const player = page.getByTestId('recording-player')
      await player.getByLabel('Speed').selectOption('8')
      await player.locator('.xterm-rows').filter({ hasText: 'hello-42' }).waitFor({ timeout: 30_000 })
      await shot(page, 'replay')
      assert.deepEqual(problems, [], 'no page errors or CSP violations')
    })
  }
})
