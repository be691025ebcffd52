import { describeFilesOperations, FILES_RUNTIMES } from '../../../test/support/files-operations.suite.js';

/** Every files operation on local, docker and kubernetes, through the runtime's own exec (no agent). */
await describeFilesOperations(FILES_RUNTIMES);
