import type { Page } from 'playwright-core'

/** Viewports the console is tested at: a phone and a desktop. */
export const VIEWPORTS = [{ name: 'phone', width: 390, height: 844 }, { name: 'desktop', width: 1280, height: 800 }] as const

/** Collects page errors and Content-Security-Policy violations reported on the console. */
export function watchPage (page: Page): { problems: string[] } {
  const problems: string[] = []
  page.on('pageerror', err => problems.push(`page error: ${err.message}`))
  page.on('console', msg => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`)
  })
  return { problems }
}
