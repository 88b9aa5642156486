import { existsSync } from 'node:fs'
import path from 'node:path'

/** Where `npm run build:web` puts the console in this checkout. */
export const BUNDLED_CONSOLE_DIR = path.resolve(import.meta.dirname, '../../../web/dist')

/** The checkout's built console (`packages/web/dist`) when it has an `index.html`, else null. */
export function bundledConsoleDir (): string | null {
  return existsSync(path.join(BUNDLED_CONSOLE_DIR, 'index.html')) ? BUNDLED_CONSOLE_DIR : null
}
