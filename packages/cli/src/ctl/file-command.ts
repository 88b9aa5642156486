import { FileListing, FileStat, parseJson, type CommandStatus, type CreateCommandRequest } from '@outpost/protocol'
import { UsageError } from '../parse-duration.ts'
import type { CliIo } from '../cli-io.ts'
import { formatFileTable } from './file-table.ts'
import { downloadTo, uploadFrom, type FileStreamTarget } from './file-stream-client.ts'

/** What `outpost ctl files …` needs from the ctl command around it. */
export interface FilesDeps extends FileStreamTarget {
  /** Queues a command on a host and waits until it ends. */
  readonly run: (hostId: string, body: CreateCommandRequest) => Promise<CommandStatus>
  /** Writes why a command did not complete to stderr; true when it did. */
  readonly completed: (status: CommandStatus) => boolean
}

/** Flags of the files verbs. */
export interface FilesFlags {
  readonly json: boolean
  readonly mode: string | undefined
  readonly noBackup: boolean
}

const USAGE = 'usage: outpost ctl files ls|stat|get|put ID PATH [--mode 0644] [--no-backup]'

/**
 * `outpost ctl files ls|stat|get|put ID PATH`: ls and stat run through the generic commands API;
 * get streams the file to stdout, put streams stdin up. Resolves with the exit code.
 */
export async function filesCommand (args: readonly string[], flags: FilesFlags, deps: FilesDeps, io: CliIo): Promise<number> {
  const [verb, hostId, filePath, extra] = args
  if (verb === undefined || hostId === undefined || filePath === undefined || extra !== undefined) throw new UsageError(USAGE)
  if (!filePath.startsWith('/')) throw new UsageError(`PATH must be absolute, got "${filePath}"`)
  if (verb !== 'put' && (flags.mode !== undefined || flags.noBackup)) throw new UsageError('--mode and --no-backup go with files put')
  if (flags.mode !== undefined && !/^0?[0-7]{3,4}$/.test(flags.mode)) throw new UsageError(`--mode must be octal like 0644, got "${flags.mode}"`)
  switch (verb) {
    case 'ls': {
      const status = await deps.run(hostId, { type: 'file-list', path: filePath })
      if (!deps.completed(status)) return 1
      const listing = parseJson(FileListing, status.stdout, 'file listing')
      io.stdout.write(flags.json ? JSON.stringify(listing, null, 2) + '\n' : formatFileTable(listing))
      return 0
    }
    case 'stat': {
      const status = await deps.run(hostId, { type: 'file-stat', path: filePath })
      if (!deps.completed(status)) return 1
      io.stdout.write(JSON.stringify(parseJson(FileStat, status.stdout, 'file stat'), null, 2) + '\n')
      return 0
    }
    case 'get':
      await downloadTo(deps, hostId, filePath, io.stdout)
      return 0
    case 'put': {
      const input = io.stdin ?? process.stdin
      const result = await uploadFrom(deps, hostId, { path: filePath, ...(flags.mode === undefined ? {} : { mode: flags.mode }), ...(flags.noBackup ? { backup: 'false' } : {}) }, input)
      if (flags.json) io.stdout.write(JSON.stringify(result, null, 2) + '\n')
      else io.stderr.write(`wrote ${result.size} bytes to ${result.path} (sha256 ${result.sha256}${result.backupPath === null ? '' : `, previous version in ${result.backupPath}`})\n`)
      return 0
    }
    default:
      throw new UsageError(`unknown files verb "${verb}": ${USAGE}`)
  }
}
