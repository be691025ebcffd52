import { definePlugin } from '@sandboxed/plugin-sdk';
import { ProcessesOptionsDto, resolveProcessesOptions } from './process-options.dto.js';
import { ProcessesOperationsRegistrar } from './processes-operations.registrar.js';
import { ProcessesCapabilityModule } from './processes-capability.module.js';
import { PROCESSES_OPTIONS } from './processes.tokens.js';

export const plugin = definePlugin<ProcessesOptionsDto>({
  id: 'capability-processes',
  kind: 'capability',
  version: '0.1.0',
  engine: '^1',
  description: 'Background processes whose state and logs live inside the sandbox: start, list, kill, stdin, logs',
  options: ProcessesOptionsDto,
  module: (options) => ({
    module: ProcessesCapabilityModule,
    providers: [
      { provide: PROCESSES_OPTIONS, useValue: resolveProcessesOptions(options) },
      ProcessesOperationsRegistrar,
    ],
  }),
});
