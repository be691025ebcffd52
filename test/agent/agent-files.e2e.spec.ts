import { describeFilesOperations, FILES_RUNTIMES } from '../support/files-operations.suite.js';
import { routed } from './agent-runtimes.support.js';

/**
 * The same files suite with the sandbox agent in front of each runtime: the operations take the
 * agent's built-ins (no shell, no coreutils). Stopping fails when any exec fell back.
 */
await describeFilesOperations(
  FILES_RUNTIMES.map((target) => ({
    ...target,
    name: `${target.name} through the sandbox agent`,
    start: async () => {
      const started = await target.start();
      const fallbacks: string[] = [];
      const runtime = routed(started.runtime, fallbacks);
      return {
        runtime,
        stop: async () => {
          await runtime.closeAgents();
          await started.stop();
          if (fallbacks.length > 0) throw new Error(`the agent fell back: ${fallbacks.join('; ')}`);
        },
      };
    },
  })),
);
