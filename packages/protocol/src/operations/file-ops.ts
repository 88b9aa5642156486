import { Type, type Static } from '@sinclair/typebox'

/**
 * File operations. Every path is absolute; the agent resolves `..`, symlinks and /proc links
 * before its policy's protected paths are checked, and refuses a protected path whatever the
 * operation. Reads need the `files.read` operation class, writes `files.write`.
 */

/** Largest file `file-read` returns whole (views and the console's editor); larger files stream. */
export const MAX_FILE_VIEW_BYTES = 1024 * 1024
/** Largest `file-write` content (the console's editor, jobs sending a file); larger uploads stream. */
export const MAX_FILE_WRITE_BYTES = 1024 * 1024
/** Most entries one `file-list` returns; `truncated` is set beyond. */
export const MAX_FILE_LIST_ENTRIES = 10_000

export const AbsolutePath = Type.String({ minLength: 1, maxLength: 4096, pattern: '^/' })
/** Octal permission bits, e.g. `0644`. */
export const FileMode = Type.String({ pattern: '^0?[0-7]{3,4}$' })
/** Lower-case hex SHA-256. */
export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' })
export const FileType = Type.Union([Type.Literal('file'), Type.Literal('dir'), Type.Literal('link'), Type.Literal('other')])

/** List a directory. Result `stdout`: `FileListing` JSON. */
export const FileListBody = Type.Object({ type: Type.Literal('file-list'), path: AbsolutePath }, { additionalProperties: false })
export type FileListBody = Static<typeof FileListBody>

/** Facts about one path (not following a final symlink). Result `stdout`: `FileStat` JSON. */
export const FileStatBody = Type.Object({ type: Type.Literal('file-stat'), path: AbsolutePath }, { additionalProperties: false })
export type FileStatBody = Static<typeof FileStatBody>

/** A regular file's content, at most `MAX_FILE_VIEW_BYTES` (else `AGENT_ERR_FILE_TOO_LARGE`). Result `stdout`: `FileContent` JSON. */
export const FileReadBody = Type.Object({ type: Type.Literal('file-read'), path: AbsolutePath }, { additionalProperties: false })
export type FileReadBody = Static<typeof FileReadBody>

/**
 * Writes a whole file atomically (temporary file in the same directory, fsync, rename), keeping
 * the previous content as `PATH.outpost-bak` unless `backup` is false. `expectSha256` guards an
 * edit: the write is refused with `AGENT_ERR_FILE_CHANGED` when the current content's hash differs
 * (`null`: the file must not exist). Checked against the policy's `maxUploadBytes`.
 * Result `stdout`: `FileWriteResult` JSON.
 */
export const FileWriteBody = Type.Object({
  type: Type.Literal('file-write'),
  path: AbsolutePath,
  contentBase64: Type.String({ maxLength: Math.ceil(MAX_FILE_WRITE_BYTES / 3) * 4, pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
  expectSha256: Type.Optional(Type.Union([Sha256Hex, Type.Null()])),
  mode: Type.Optional(FileMode),
  backup: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type FileWriteBody = Static<typeof FileWriteBody>

/**
 * Streams a file to the hub: the agent PUTs its bytes to `/agent/v1/transfers/{transferId}`
 * (signed like every agent request, over an empty body). Result `stdout`: `FileTransferResult` JSON.
 */
export const FileDownloadBody = Type.Object({
  type: Type.Literal('file-download'),
  path: AbsolutePath,
  transferId: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' })
}, { additionalProperties: false })
export type FileDownloadBody = Static<typeof FileDownloadBody>

/**
 * Fetches bytes from the hub (`GET /agent/v1/transfers/{transferId}`, signed) and writes them to
 * `path` atomically like `file-write`, after checking `size` and `sha256` and the policy's
 * `maxUploadBytes`. Result `stdout`: `FileWriteResult` JSON.
 */
export const FileUploadBody = Type.Object({
  type: Type.Literal('file-upload'),
  path: AbsolutePath,
  transferId: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }),
  size: Type.Integer({ minimum: 0 }),
  sha256: Sha256Hex,
  mode: Type.Optional(FileMode),
  backup: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type FileUploadBody = Static<typeof FileUploadBody>

export const FileEntry = Type.Object({
  name: Type.String({ maxLength: 4096 }),
  type: FileType,
  size: Type.Integer({ minimum: 0 }),
  mode: FileMode,
  /** ISO time of the last modification. */
  mtime: Type.String(),
  /** A symlink's target as stored. */
  target: Type.Optional(Type.String({ maxLength: 4096 })),
  /** True when the local policy protects it: listed, but never read or written. */
  protected: Type.Boolean()
}, { additionalProperties: false })
export type FileEntry = Static<typeof FileEntry>

export const FileListing = Type.Object({
  path: AbsolutePath,
  entries: Type.Array(FileEntry),
  truncated: Type.Boolean()
}, { additionalProperties: false })
export type FileListing = Static<typeof FileListing>

export const FileStat = Type.Object({
  path: AbsolutePath,
  /** The path with every symlink resolved. */
  realPath: AbsolutePath,
  type: FileType,
  size: Type.Integer({ minimum: 0 }),
  mode: FileMode,
  uid: Type.Integer({ minimum: 0 }),
  gid: Type.Integer({ minimum: 0 }),
  user: Type.String(),
  group: Type.String(),
  mtime: Type.String(),
  target: Type.Optional(Type.String({ maxLength: 4096 })),
  protected: Type.Boolean()
}, { additionalProperties: false })
export type FileStat = Static<typeof FileStat>

export const FileContent = Type.Object({
  path: AbsolutePath,
  size: Type.Integer({ minimum: 0 }),
  sha256: Sha256Hex,
  mode: FileMode,
  contentBase64: Type.String()
}, { additionalProperties: false })
export type FileContent = Static<typeof FileContent>

export const FileWriteResult = Type.Object({
  path: AbsolutePath,
  size: Type.Integer({ minimum: 0 }),
  sha256: Sha256Hex,
  /** Where the previous content was kept, or null (new file, or `backup: false`). */
  backupPath: Type.Union([AbsolutePath, Type.Null()])
}, { additionalProperties: false })
export type FileWriteResult = Static<typeof FileWriteResult>

export const FileTransferResult = Type.Object({
  path: AbsolutePath,
  size: Type.Integer({ minimum: 0 }),
  sha256: Sha256Hex
}, { additionalProperties: false })
export type FileTransferResult = Static<typeof FileTransferResult>
