import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'

/** Debian's Chromium; the only browser the tests use (Playwright's own downloads are never used). */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/**
 * Flags for a quiet, hermetic headless Chromium: no GPU, no QUIC, no first-run or background
 * traffic. Playwright adds a fresh `--user-data-dir` of its own to every launch (a new temporary
 * profile, removed on close) and refuses one in `args`, so that flag is not listed here.
 */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'
] as const

/** Where screenshots go: `test-artifacts/` at the repo root (gitignored). */
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../../../test-artifacts')

/** Installs Debian's `chromium` when it is missing (the machines run as root; CI does the same in `.ci/run`). */
export function ensureChromium (): void {
  if (fs.existsSync(CHROMIUM_PATH)) return
  execFileSync('bash', ['-c', 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium'], { stdio: 'ignore', timeout: 600_000 })
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is still missing after apt-get install chromium`)
}

/** A launched headless Chromium. */
export interface TestBrowser {
  readonly browser: Browser
  /** Closes the browser (and with it its temporary profile). */
  cleanup (): Promise<void>
}

/** Launches Debian's Chromium headless through playwright-core. */
export async function startBrowser (): Promise<TestBrowser> {
  ensureChromium()
  // Loaded here so that test files which never open a browser do not pay for playwright-core.
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_FLAGS], timeout: 60_000 })
  return { browser, cleanup: () => browser.close() }
}

/** Saves a full-page screenshot as `test-artifacts/<name>.png` and returns its path. */
export async function saveScreenshot (page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true })
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

/** One axe-core finding. */
export interface AxeViolation {
  readonly id: string
  readonly impact: string | null
  readonly help: string
  readonly nodes: readonly string[]
}

const axeSource = (): string => fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now. The script goes in through
 * the DevTools protocol, so the page's Content-Security-Policy stays on while it is checked.
 */
export async function runAxe (page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource())
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string, impact?: string | null, help: string, nodes: Array<{ target: unknown[] }> }> }> } }).axe
    const r = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    return r.violations.map(v => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) }))
  })
}

/** The violations that fail a test: `serious` and `critical`. */
export function seriousViolations (all: readonly AxeViolation[]): AxeViolation[] {
  return all.filter(v => v.impact === 'serious' || v.impact === 'critical')
}
