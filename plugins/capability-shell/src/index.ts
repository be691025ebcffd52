export { plugin, plugin as default } from './shell.plugin.js';
export { ShellCapabilityModule } from './shell-capability.module.js';
export { ExecInput, ExecOutput } from './exec.dto.js';
