// The Files page in Chromium against a real hub and a real agent: browse to a directory, open a
// file, edit it, review the line diff, save; the file on disk changed and the agent kept a backup.
// A second edit whose file changed underneath is refused and shown as a conflict; nothing is
// overwritten. A file uploaded from the browser lands in the directory. At a phone's and a desktop's size, axe-clean, no CSP violation.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { runAxe, saveScreenshot, seriousViolations } from '@outpost/testkit'
import type { Page } from 'playwright-core'
import { startOpsFixture } from './helpers/ops-fixture.ts'
import { VIEWPORTS } from './helpers/page-watch.ts'

async function checkA11y (page: Page, what: string): Promise<void> {
  const bad = seriousViolations(await runAxe(page))
  assert.deepEqual(bad, [], `${what}: ${JSON.stringify(bad, null, 2)}`)
}

test('files page: open, edit, review the diff, save with a backup; a changed file is a conflict', { timeout: 240_000 }, async (t) => {
  const fx = await startOpsFixture(t)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-web-files-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  for (const vp of VIEWPORTS) {
    await t.test(`${vp.width}×${vp.height}`, async () => {
      const file = path.join(dir, `app-${vp.name}.conf`)
      fs.writeFileSync(file, 'name=web\nport=80\nworkers=4\n')
      fs.writeFileSync(path.join(dir, `blob-${vp.name}.bin`), Buffer.from([0, 1, 2, 3, 255]))
      const shot = (page: Page, name: string) => saveScreenshot(page, `ops-files-${name}-${vp.width}x${vp.height}`)
      const { page, problems } = await fx.open('oper', `/hosts/${fx.agentId}/files?dir=${encodeURIComponent(dir)}`, vp)

      // The listing, with the breadcrumb of the directory.
      const table = page.getByTestId('file-table')
      await table.getByRole('link', { name: `File app-${vp.name}.conf` }).waitFor({ timeout: 30_000 })
      await page.getByRole('navigation', { name: 'Directory' }).getByText(path.basename(dir)).waitFor()
      await checkA11y(page, 'file listing')
      await shot(page, 'listing')

      // A binary file is named as such, with its size.
      await table.getByRole('link', { name: `File blob-${vp.name}.bin` }).click()
      await page.getByTestId('binary-note').filter({ hasText: 'Binary, 5 bytes' }).waitFor({ timeout: 30_000 })

      // Open the text file, edit one line, review.
      await table.getByRole('link', { name: `File app-${vp.name}.conf` }).click()
      const panel = page.getByTestId('file-panel')
      await panel.getByTestId('file-text').filter({ hasText: 'port=80' }).waitFor({ timeout: 30_000 })
      await panel.getByRole('button', { name: 'Edit' }).click()
      await panel.getByLabel(/^Content of/).fill('name=web\nport=8080\nworkers=4\n')
      await panel.getByRole('button', { name: 'Review changes' }).click()
      const diff = panel.getByTestId('diff')
      await diff.waitFor()
      assert.equal(await diff.locator('.diff-del').innerText(), '- port=80\n')
      assert.equal(await diff.locator('.diff-add').innerText(), '+ port=8080\n')
      assert.equal(await diff.locator('.diff-same').count(), 2, 'unchanged lines are shown as context')
      await checkA11y(page, 'diff review')
      await shot(page, 'diff')
      assert.equal(fs.readFileSync(file, 'utf8'), 'name=web\nport=80\nworkers=4\n', 'reviewing writes nothing')

      // Save: the file on disk changed, the previous content is in the backup.
      await panel.getByRole('button', { name: 'Save' }).click()
      await panel.getByRole('status').filter({ hasText: /^Saved / }).waitFor({ timeout: 30_000 })
      assert.equal(fs.readFileSync(file, 'utf8'), 'name=web\nport=8080\nworkers=4\n')
      assert.equal(fs.readFileSync(`${file}.outpost-bak`, 'utf8'), 'name=web\nport=80\nworkers=4\n')
      await panel.getByTestId('file-text').filter({ hasText: 'port=8080' }).waitFor({ timeout: 30_000 })
      await shot(page, 'saved')

      // Someone changes the file after it was opened: saving is refused and said plainly.
      await panel.getByRole('button', { name: 'Edit' }).click()
      await panel.getByLabel(/^Content of/).fill('name=web\nport=9090\nworkers=4\n')
      await panel.getByRole('button', { name: 'Review changes' }).click()
      fs.writeFileSync(file, 'name=web\nport=7070\nworkers=4\n')
      await panel.getByRole('button', { name: 'Save' }).click()
      await panel.getByTestId('conflict').waitFor({ timeout: 30_000 })
      assert.match(await panel.getByRole('alert').filter({ hasText: 'AGENT_ERR_FILE_CHANGED' }).innerText(), /changed on the host/)
      assert.equal(fs.readFileSync(file, 'utf8'), 'name=web\nport=7070\nworkers=4\n', 'nothing was overwritten')
      assert.ok(await panel.getByRole('button', { name: 'Save' }).isDisabled(), 'the stale edit cannot be saved again')
      await checkA11y(page, 'conflict')
      await shot(page, 'conflict')

      // Upload a file from the browser into the directory shown: streamed to the agent, on disk after.
      await page.getByLabel('File', { exact: true }).setInputFiles({ name: `up-${vp.name}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`uploaded ${vp.name}\n`) })
      await page.getByRole('button', { name: 'Upload' }).click()
      await page.getByRole('status').filter({ hasText: `Uploaded ${path.join(dir, `up-${vp.name}.txt`)}` }).waitFor({ timeout: 30_000 })
      assert.equal(fs.readFileSync(path.join(dir, `up-${vp.name}.txt`), 'utf8'), `uploaded ${vp.name}\n`)
      await table.getByRole('link', { name: `File up-${vp.name}.txt` }).waitFor({ timeout: 30_000 })
      assert.deepEqual(problems, [], 'no page errors or CSP violations')
    })
  }
})
