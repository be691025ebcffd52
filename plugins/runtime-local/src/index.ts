import { plugin } from './local-runtime.plugin.js';

export { plugin, LocalRuntimeModule } from './local-runtime.plugin.js';
export { LocalRuntime } from './local.runtime.js';
export {
  LocalRuntimeOptionsDto,
  defaultLocalDataDir,
  resolveLocalRuntimeOptions,
} from './local-runtime-options.dto.js';
export type { LocalRuntimeOptions, LocalRuntimeLogger, LocalIsolation, LocalNetwork } from './local-runtime.options.js';
export { LocalRuntimeRegistrar } from './local-runtime.registrar.js';

export default plugin;
