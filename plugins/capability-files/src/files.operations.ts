import type { Limits, OperationDefinition } from '@sandboxed/plugin-sdk';
import { copyFileOperation } from './copy-file.operation.js';
import { deleteFileOperation } from './delete-file.operation.js';
import { downloadFileOperation } from './download-file.operation.js';
import { editFileOperation } from './edit-file.operation.js';
import { globFilesOperation } from './glob-files.operation.js';
import { grepFilesOperation } from './grep-files.operation.js';
import { listFilesOperation } from './list-files.operation.js';
import { makeDirectoryOperation } from './make-directory.operation.js';
import { moveFileOperation } from './move-file.operation.js';
import { readFileOperation } from './read-file.operation.js';
import { statFileOperation } from './stat-file.operation.js';
import { uploadFileOperation } from './upload-file.operation.js';
import { writeFileOperation } from './write-file.operation.js';

/** Every operation of the files capability, reading limits from the kernel's live object. */
export function filesOperations(limits: Limits): OperationDefinition[] {
  return [
    readFileOperation(limits),
    writeFileOperation(limits),
    editFileOperation(limits),
    listFilesOperation(limits),
    statFileOperation(limits),
    globFilesOperation(limits),
    grepFilesOperation(limits),
    makeDirectoryOperation(limits),
    deleteFileOperation(limits),
    moveFileOperation(limits),
    copyFileOperation(limits),
    uploadFileOperation(limits),
    downloadFileOperation(limits),
  ];
}
