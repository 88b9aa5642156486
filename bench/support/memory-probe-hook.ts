// Loaded into a server process with `--import` by load-memory-probe.ts: answers the parent's IPC
// questions about its memory (after a forced GC when `--expose-gc` is on) and writes heap
// snapshots on request, so that what the hub holds per connected agent can be measured. Worker
// threads (the SQLite store's) have heaps of their own: they are tracked and reported too.
import module from 'node:module'
import v8 from 'node:v8'
import wt from 'node:worker_threads'

/** One question from the probe. */
export type MemoryProbeRequest = { readonly cmd: 'memory', readonly gc: boolean } | { readonly cmd: 'snapshot', readonly file: string }

/** process.memoryUsage() plus V8's space sizes, and the heaps of worker threads. */
export interface MemoryProbeReply {
  readonly rss: number
  readonly heapTotal: number
  readonly heapUsed: number
  readonly external: number
  readonly arrayBuffers: number
  readonly spaces: Record<string, { size: number, used: number }>
  /** Per live worker thread: its heap's total and used size. */
  readonly workers: Array<{ total: number, used: number }>
  readonly file?: string
}

const workers = new Set<wt.Worker>()
class TrackedWorker extends wt.Worker {
  constructor (...args: ConstructorParameters<typeof wt.Worker>) {
    super(...args)
    workers.add(this)
    this.once('exit', () => { workers.delete(this) })
  }
}
// Seen by `import { Worker } from 'node:worker_threads'` in modules loaded after this one.
;(module.createRequire(import.meta.url)('node:worker_threads') as { Worker: typeof wt.Worker }).Worker = TrackedWorker
module.syncBuiltinESMExports()

async function usage (): Promise<MemoryProbeReply> {
  const m = process.memoryUsage()
  const spaces: Record<string, { size: number, used: number }> = {}
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = { size: s.space_size, used: s.space_used_size }
  const w = await Promise.all([...workers].map(async (x) => {
    const h = await x.getHeapStatistics()
    return { total: h.total_heap_size, used: h.used_heap_size }
  }))
  return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, spaces, workers: w }
}

if (process.send !== undefined) {
  process.on('message', (req: MemoryProbeRequest) => {
    const answer = async (): Promise<MemoryProbeReply> => {
      if (req.cmd === 'memory') {
        if (req.gc) globalThis.gc?.({ type: 'major', execution: 'sync' })
        return await usage()
      }
      const file = v8.writeHeapSnapshot(req.file)
      return { ...await usage(), file }
    }
    answer().then((r) => { process.send!(r) }, (err: unknown) => { process.stderr.write(`memory probe: ${String(err)}\n`) })
  })
  // The IPC channel must not keep a closing server alive.
  process.channel?.unref()
}
