import { definePlugin } from '@sandboxed/plugin-sdk';
import { TerminalCapabilityModule } from './terminal-capability.module.js';

export const plugin = definePlugin({
  id: 'capability-terminal',
  kind: 'capability',
  version: '0.1.0',
  engine: '^1',
  description: 'An interactive shell on a PTY, as a message channel (a WebSocket at /v1/sandboxes/{id}/terminal)',
  module: () => ({ module: TerminalCapabilityModule }),
});
