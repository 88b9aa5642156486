#!/usr/bin/env node
// The `outpost` command. Node 24 runs the TypeScript sources directly (type stripping).
const [major] = process.versions.node.split('.').map(Number)
if (major < 24) {
  process.stderr.write(`outpost needs Node.js 24 or later (this is ${process.version}). Run it through npm (npx outpost …, npm start), which uses the Node 24 pinned in devDependencies, or install Node 24.\n`)
  process.exit(1)
}
// A closed pipe (`outpost ctl hosts | head`) ends the command quietly, as for any Unix tool.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); else throw err })
if (process.argv[2] === 'hub') {
  const { prepareHubProcess } = await import('./hub-launch.js')
  prepareHubProcess(process.argv[1], process.argv.slice(2))
}
if (process.argv[2] === 'agent') {
  const { prepareAgentProcess } = await import('./agent-launch.js')
  await prepareAgentProcess(process.argv[1], process.argv.slice(2))
}
const { runCli } = await import('../packages/cli/src/main.ts')
process.exitCode = await runCli(process.argv.slice(2))
