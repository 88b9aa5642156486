// `npm run lint`: project rules that a general linter does not know.
// - no relative import reaches into another package (use the package name);
// - hub and agent never import each other; protocol imports nothing of ours; testkit only in tests;
// - no source file above 800 lines (warn above 400);
// - no `.only` left in tests.
import { globSync, readFileSync } from 'node:fs'
import path from 'node:path'

const ALLOWED: Record<string, readonly string[]> = {
  protocol: [],
  hub: ['protocol'],
  agent: ['protocol'],
  cli: ['protocol', 'hub', 'agent'],
  web: ['protocol'],
  testkit: ['protocol', 'hub', 'agent']
}
const problems: string[] = []
const warnings: string[] = []
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

for (const file of globSync('packages/*/{src,test}/**/*.{ts,tsx}')) {
  const [, pkg, area] = file.split(path.sep)
  if (pkg === undefined || area === undefined) continue
  const text = readFileSync(file, 'utf8')
  const lines = text.split('\n').length
  if (area === 'src' && lines > 800) problems.push(`${file}: ${lines} lines (limit 800; split it by concern)`)
  else if (area === 'src' && lines > 400) warnings.push(`${file}: ${lines} lines (aim for < 400)`)
  if (area === 'test' && /\b(?:it|test|describe|suite)\.only\(/.test(text)) problems.push(`${file}: .only left in a test`)
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]
    if (spec === undefined) continue
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec)
      const rel = path.relative(path.resolve('packages', pkg), target)
      if (rel.startsWith('..')) problems.push(`${file}: relative import "${spec}" leaves package ${pkg}; import "@outpost/<name>" instead`)
    } else if (spec.startsWith('@outpost/')) {
      const dep = spec.slice('@outpost/'.length).split('/')[0] ?? ''
      if (dep === pkg && area === 'src') problems.push(`${file}: imports its own package by name (use a relative import inside a package)`)
      else if (area === 'src' && !(ALLOWED[pkg] ?? []).includes(dep)) problems.push(`${file}: ${pkg} must not import @outpost/${dep}`)
      if (spec.split('/').length > 2) problems.push(`${file}: deep import "${spec}"; use the package's public exports`)
    }
  }
}
for (const w of warnings) process.stdout.write(`warning: ${w}\n`)
for (const p of problems) process.stderr.write(`error: ${p}\n`)
if (problems.length > 0) process.exit(1)
process.stdout.write('layout ok\n')
