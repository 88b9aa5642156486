import type { InstructionBody } from '@outpost/protocol'
import { runFileOperation } from './files/file-operation.ts'
import { runSessionOpen } from './terminal/session-operation.ts'
import { runServiceOperation } from './system/service-operation.ts'
import { runPackageOperation } from './system/package-operation.ts'
import { runPowerOperation } from './system/power-operation.ts'
import type { OperationContext, OperationResult } from './operation.ts'

/** The remote operations (everything but exec, process and report requests), by instruction type. */
export type OperationBody = Exclude<InstructionBody, { type: 'exec' | 'report-now' | 'report-items' | 'process-list' | 'process-signal' }>

/** Routes an operation to its handler; each handler checks its own operation class and paths. */
export function runOperation (body: OperationBody, ctx: OperationContext): Promise<OperationResult> {
  switch (body.type) {
    case 'file-list': case 'file-stat': case 'file-read': case 'file-write': case 'file-download': case 'file-upload':
      return runFileOperation(body, ctx)
    case 'session-open': return runSessionOpen(body, ctx)
    case 'service': return runServiceOperation(body, ctx)
    case 'package': return runPackageOperation(body, ctx)
    case 'power': return runPowerOperation(body, ctx)
  }
}
