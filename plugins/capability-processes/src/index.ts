export { plugin, plugin as default } from './processes.plugin.js';
export { ProcessesCapabilityModule } from './processes-capability.module.js';
export { ProcessesOptionsDto } from './process-options.dto.js';
export type { ProcessesOptions } from './process-options.dto.js';
export {
  KillProcessInput,
  ListProcessesInput,
  ProcessInfo,
  ProcessList,
  ProcessRef,
  ProcessStdinInput,
  StartProcessInput,
} from './process.dto.js';
export type { ProcessStatus } from './process.dto.js';
export { LogCursorInput, LogLine, LogPage, ReadLogsInput } from './process-logs.dto.js';
export { PRIMARY_PROCESS_ROOT, processRoots } from './process-root.js';
