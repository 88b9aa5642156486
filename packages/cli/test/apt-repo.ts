// A local apt repository for tests: one tiny .deb built with dpkg-deb, indexed with
// dpkg-scanpackages, and an APT_CONFIG file that points apt at it alone, with its own lists and
// cache, so that only the process given APT_CONFIG sees it and nothing reaches the network.
import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'

/** The test package and the file it installs. */
export const TEST_PACKAGE = 'outpost-test-hello'
export const TEST_PACKAGE_FILE = `/usr/share/${TEST_PACKAGE}/hello.txt`

/** A built repository: the APT_CONFIG file to hand to the agent. */
export interface AptRepo {
  readonly aptConfig: string
}

/** Builds the package and the repository under `dir`. */
export function buildAptRepo (dir: string): AptRepo {
  const root = path.join(dir, 'pkgroot')
  fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true })
  fs.mkdirSync(path.dirname(path.join(root, TEST_PACKAGE_FILE)), { recursive: true })
  fs.writeFileSync(path.join(root, TEST_PACKAGE_FILE), 'hello from outpost\n')
  fs.writeFileSync(path.join(root, 'DEBIAN', 'control'), [
    `Package: ${TEST_PACKAGE}`, 'Version: 1.0', 'Section: misc', 'Priority: optional', 'Architecture: all',
    'Maintainer: Outpost tests <tests@outpost.invalid>', 'Description: test package of the Outpost test suite', ''
  ].join('\n'))
  const repo = path.join(dir, 'repo')
  fs.mkdirSync(repo)
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, path.join(repo, `${TEST_PACKAGE}_1.0_all.deb`)], { stdio: 'pipe' })
  fs.writeFileSync(path.join(repo, 'Packages'), execFileSync('dpkg-scanpackages', ['.', '/dev/null'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] }))

  for (const d of ['sources.list.d', 'lists/partial', 'cache/archives/partial']) fs.mkdirSync(path.join(dir, d), { recursive: true })
  fs.writeFileSync(path.join(dir, 'sources.list'), `deb [trusted=yes] file:${repo} ./\n`)
  const aptConfig = path.join(dir, 'apt.conf')
  fs.writeFileSync(aptConfig, [
    `Dir::Etc::sourcelist "${path.join(dir, 'sources.list')}";`,
    `Dir::Etc::sourceparts "${path.join(dir, 'sources.list.d')}";`,
    `Dir::State::Lists "${path.join(dir, 'lists')}";`,
    `Dir::Cache "${path.join(dir, 'cache')}";`,
    // The temp dir is private to root: apt's unprivileged download user could not read the repo.
    'APT::Sandbox::User "root";',
    ''
  ].join('\n'))
  return { aptConfig }
}

/** True when dpkg has the package installed. */
export function isInstalled (name: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${db:Status-Status}', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString() === 'installed'
  } catch {
    // dpkg-query exits 1 for a package it never heard of: not installed.
    return false
  }
}

/** Removes the package if a failed run left it installed. */
export function purge (name: string): void {
  if (isInstalled(name)) execFileSync('dpkg', ['--purge', name], { stdio: 'ignore' })
}
