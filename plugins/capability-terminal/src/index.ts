export { plugin, plugin as default } from './terminal.plugin.js';
export { TerminalCapabilityModule } from './terminal-capability.module.js';
export { OpenTerminalInput } from './terminal.dto.js';
export { terminalChannel } from './terminal.channel.js';
