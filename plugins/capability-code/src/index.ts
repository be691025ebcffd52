export { plugin, plugin as default } from './code.plugin.js';
export { CodeCapabilityModule } from './code-capability.module.js';
export { CodeResultOutput, ExecuteCodeInput, RunCodeInput } from './code.dto.js';
export { CODE_LANGUAGES, LANGUAGE_NAMES, findLanguage } from './code-language.table.js';
export type { CodeLanguage, SourceFile } from './code-language.table.js';
export { CodeOptionsDto } from './code-options.dto.js';
