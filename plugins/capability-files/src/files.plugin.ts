import { definePlugin } from '@sandboxed/plugin-sdk';
import { FilesCapabilityModule } from './files-capability.module.js';

export const plugin = definePlugin({
  id: 'capability-files',
  kind: 'capability',
  version: '0.1.0',
  engine: '^1',
  description:
    'Files inside a sandbox: read, write, edit, list, stat, glob, grep, move, copy, delete, raw upload and download.',
  module: () => FilesCapabilityModule.register(),
});
