import fs from 'node:fs'
import path from 'node:path'
import { DEFAULT_POLICY_FILE } from './policy-schema.ts'

/**
 * Every name of the local policy file the path guard must refuse: the default location, the
 * configured one, and the configured one with its symlinks resolved. An agent that could write
 * its own policy would let the hub widen what it may do.
 */
export function policyFilePaths (configured: string | null): string[] {
  const names = [DEFAULT_POLICY_FILE]
  if (configured !== null) {
    names.push(path.resolve(configured))
    try {
      names.push(fs.realpathSync(configured))
    } catch {
      // Not there (the defaults apply): its names above are protected in case it appears.
    }
  }
  return [...new Set(names)]
}
