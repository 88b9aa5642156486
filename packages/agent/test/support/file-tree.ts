// A real temp tree for file-operation tests: `secret/` protected by the policy, `pub/` free,
// and links from one to the other (chains, a loop, absolute and relative).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** The tree's root (its real path) and the policy text protecting `secret/`. */
export interface FileTree {
  readonly root: string
  readonly secretFile: string
  readonly secretContent: string
  policy (extra?: Record<string, unknown>): string
}

/** Builds the tree; removed after the test. */
export function fileTree (t: { after: (fn: () => unknown) => void }): FileTree {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-files-')))
  t.after(() => fs.rmSync(root, { recursive: true, force: true }))
  for (const d of ['secret/sub', 'pub/a/b']) fs.mkdirSync(path.join(root, d), { recursive: true })
  const secretContent = 'the secret\n'
  const secretFile = path.join(root, 'secret/key.txt')
  fs.writeFileSync(secretFile, secretContent)
  fs.writeFileSync(path.join(root, 'pub/file.txt'), 'public\n')
  fs.symlinkSync('../secret', path.join(root, 'pub/to-secret'))
  fs.symlinkSync('chain2', path.join(root, 'pub/chain1'))
  fs.symlinkSync('chain3', path.join(root, 'pub/chain2'))
  fs.symlinkSync('../secret/key.txt', path.join(root, 'pub/chain3'))
  fs.symlinkSync('loop2', path.join(root, 'pub/loop1'))
  fs.symlinkSync('loop1', path.join(root, 'pub/loop2'))
  fs.symlinkSync(secretFile, path.join(root, 'pub/abs-link'))
  fs.symlinkSync('../..', path.join(root, 'pub/a/up'))
  fs.symlinkSync('file.txt', path.join(root, 'pub/ok-link'))
  return {
    root,
    secretFile,
    secretContent,
    policy: (extra = {}) => JSON.stringify({ protectedPaths: [`${root}/secret/**`], ...extra })
  }
}
