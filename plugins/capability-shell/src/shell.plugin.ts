import { definePlugin } from '@sandboxed/plugin-sdk';
import { ShellCapabilityModule } from './shell-capability.module.js';

export const plugin = definePlugin({
  id: 'capability-shell',
  kind: 'capability',
  version: '0.1.0',
  engine: '^1',
  description: 'Run commands in a sandbox: buffered (shell.exec) and streamed (shell.execStream)',
  module: () => ({ module: ShellCapabilityModule }),
});
