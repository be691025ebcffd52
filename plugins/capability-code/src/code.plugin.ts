import { definePlugin } from '@sandboxed/plugin-sdk';
import { CodeCapabilityModule } from './code-capability.module.js';
import { CodeOptionsDto, resolveCodeOptions } from './code-options.dto.js';
import { CodeOperations } from './code.operations.js';
import { LanguageTemplateMap } from './language-template.map.js';

export const plugin = definePlugin<CodeOptionsDto>({
  id: 'capability-code',
  kind: 'capability',
  version: '0.1.0',
  engine: '^1',
  description: 'Run code in eight languages: in a sandbox (code.run) or one-shot in a fresh one (code.execute)',
  options: CodeOptionsDto,
  module: (options) => ({
    module: CodeCapabilityModule,
    providers: [{ provide: LanguageTemplateMap, useValue: resolveCodeOptions(options) }, CodeOperations],
  }),
});
