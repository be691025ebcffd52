import { plugin } from './files.plugin.js';

export default plugin;
export { plugin };
export { FilesCapabilityModule } from './files-capability.module.js';
export { FilesOperationsRegistrar } from './files-operations.registrar.js';
export { filesOperations } from './files.operations.js';
export { resolveLexical, isWithin, SandboxPathResolver } from './sandbox-path.resolver.js';
export type { PathMode, ResolvedPath } from './sandbox-path.resolver.js';
export { SandboxShell } from './sandbox-shell.js';
export type { RunOptions, ScriptOptions } from './sandbox-shell.js';
export {
  ReadFileInput,
  ReadFileOutput,
  WriteFileInput,
  WriteFileOutput,
  EditFileInput,
  EditFileOutput,
} from './file-content.dto.js';
export type { ContentEncoding } from './file-content.dto.js';
export {
  ListFilesInput,
  ListFilesOutput,
  FileEntry,
  StatFileInput,
  StatFileOutput,
  GlobFilesInput,
  GlobFilesOutput,
  GrepFilesInput,
  GrepFilesOutput,
  GrepFileMatch,
} from './file-listing.dto.js';
export type { FileType } from './file-listing.dto.js';
export {
  MakeDirectoryInput,
  DeleteFileInput,
  MoveFileInput,
  CopyFileInput,
  FilePathOutput,
  FileTransferOutput,
} from './file-management.dto.js';
export { UploadFileInput, UploadFileOutput, DownloadFileInput } from './file-transfer.dto.js';
