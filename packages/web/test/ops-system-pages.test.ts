// The system pages in Chromium against a real hub and a real agent on this machine: processes
// (filter, then kill a real process after choosing the signal and confirming), services (this
// machine has no systemd: the agent's AGENT_ERR_SERVICE_MANAGER is shown in words), packages
// (the installed list; a remove that apt refuses, its output shown), power (the confirmation names the host; it is answered "No").
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { once } from 'node:events'
import { test } from 'node:test'
import { runAxe, saveScreenshot, seriousViolations } from '@outpost/testkit'
import type { Page } from 'playwright-core'
import { startOpsFixture } from './helpers/ops-fixture.ts'
import { VIEWPORTS } from './helpers/page-watch.ts'

async function checkA11y (page: Page, what: string): Promise<void> {
  const bad = seriousViolations(await runAxe(page))
  assert.deepEqual(bad, [], `${what}: ${JSON.stringify(bad, null, 2)}`)
}

const hasSystemd = fs.existsSync('/run/systemd/system')

test('processes, services, packages and power pages', { timeout: 240_000 }, async (t) => {
  const fx = await startOpsFixture(t)
  for (const vp of VIEWPORTS) {
    await t.test(`${vp.width}×${vp.height}`, async () => {
      const shot = (page: Page, name: string) => saveScreenshot(page, `ops-system-${name}-${vp.width}x${vp.height}`)
      const victim = spawn('sleep', ['1000'], { stdio: 'ignore' })
      t.after(() => { victim.kill('SIGKILL') })
      const exited = once(victim, 'exit')
      const pid = String(victim.pid)

      const { page, problems } = await fx.open('oper', `/hosts/${fx.agentId}/processes`, vp)
      const table = page.getByTestId('process-table')
      await table.locator('tbody tr').first().waitFor({ timeout: 30_000 })
      await page.getByLabel('Filter processes').fill(pid)
      await table.locator('tbody tr').filter({ hasText: 'sleep' }).waitFor()
      assert.equal(await table.locator('tbody tr').count(), 1)
      await checkA11y(page, 'processes')
      await table.getByRole('button', { name: `Kill process ${pid} sleep` }).click()
      const form = page.getByTestId('signal-form')
      await form.getByLabel('Signal').selectOption('SIGKILL')
      assert.match(await form.locator('.confirm').innerText(), new RegExp(`Send SIGKILL to process ${pid} \\(sleep\\) on `))
      await shot(page, 'kill-confirm')
      await form.getByRole('button', { name: 'Send SIGKILL' }).click()
      const [, signal] = await exited
      assert.equal(signal, 'SIGKILL', 'the process was killed by the chosen signal')

      await page.getByRole('navigation', { name: 'Host operations' }).getByRole('link', { name: 'Services' }).click()
      const services = page.getByTestId('service-table')
      await services.locator('tbody tr').first().waitFor({ timeout: 30_000 })
      if (!hasSystemd) {
        // Listed from the unit files; the status of one needs systemd running: the agent says so.
        await page.getByTestId('service-note').filter({ hasText: 'systemd is not running' }).waitFor()
        await services.locator('tbody tr').first().getByRole('button').click()
        const alert = page.getByTestId('service-detail').getByRole('alert').filter({ hasText: 'AGENT_ERR_SERVICE_MANAGER' })
        await alert.waitFor({ timeout: 30_000 })
        assert.match(await alert.innerText(), /no service manager/)
      }
      await checkA11y(page, 'services')
      await shot(page, 'services')

      await page.getByRole('navigation', { name: 'Host operations' }).getByRole('link', { name: 'Packages' }).click()
      await page.getByTestId('package-table').locator('tbody tr').first().or(page.getByRole('alert')).waitFor({ timeout: 60_000 })
      // Removing a package that does not exist: apt-get answers at once, offline, changing nothing.
      await page.getByLabel('Action').selectOption('remove')
      await page.getByRole('textbox', { name: /^Packages/ }).fill('outpost-no-such-package')
      await page.getByRole('button', { name: 'Remove' }).click()
      await page.getByRole('button', { name: 'Yes, remove' }).click()
      const out = page.getByTestId('live-output')
      await out.getByRole('status').filter({ hasText: /^Finished/ }).waitFor({ timeout: 60_000 })
      assert.match(await out.getByTestId('live-output-text').innerText(), /Unable to locate package outpost-no-such-package/)
      assert.match(await out.getByRole('alert').innerText(), /exit code 100/)
      await checkA11y(page, 'packages')
      await shot(page, 'packages')

      await page.getByRole('navigation', { name: 'Host operations' }).getByRole('link', { name: 'Power' }).click()
      await page.getByLabel('Reason').fill('kernel update')
      await page.getByRole('button', { name: 'Continue' }).click()
      const hostName = (await page.getByRole('heading', { level: 1 }).innerText()).trim()
      const question = page.locator('.confirm-box .confirm')
      assert.equal(await question.innerText(), `Reboot ${hostName} in 5 min?`)
      await checkA11y(page, 'power confirmation')
      await shot(page, 'power-confirm')
      await page.getByRole('button', { name: 'No' }).click()
      await page.getByRole('button', { name: 'Continue' }).waitFor()
      assert.deepEqual(problems, [], 'no page errors or CSP violations')
    })
  }
})
