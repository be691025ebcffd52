import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  globalOperation,
  KERNEL_LIMITS,
  OPERATION_INVOKER,
  OPERATION_REGISTRY,
  sandboxOperation,
  type Limits,
  type OperationInvoker,
  type OperationRegistry,
} from '@sandboxed/plugin-sdk';
import { resolveRunLanguage, supportedLanguagesText } from './code-language.resolver.js';
import { CODE_LANGUAGES } from './code-language.table.js';
import { CodeProcessStarter } from './code-process.starter.js';
import {
  CodeProcessOutput,
  CodeResultOutput,
  ExecuteCodeInput,
  LanguageListOutput,
  ListLanguagesInput,
  RunCodeInput,
} from './code.dto.js';
import { CodeRunner } from './code.runner.js';
import { LanguageTemplateMap } from './language-template.map.js';
import { OneShotExecutor } from './one-shot.executor.js';

@Injectable()
export class CodeOperations implements OnModuleInit {
  constructor(
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    @Inject(OPERATION_INVOKER) private readonly invoker: OperationInvoker,
    @Inject(KERNEL_LIMITS) private readonly limits: Limits,
    @Inject(LanguageTemplateMap) private readonly templates: LanguageTemplateMap,
  ) {}

  onModuleInit(): void {
    const runner = new CodeRunner(this.limits.exec);
    const starter = new CodeProcessStarter(this.invoker, this.registry, this.limits.exec);
    const oneShot = new OneShotExecutor(this.invoker, this.templates, this.limits.exec, this.limits.sandbox);
    const languages = `Languages: ${supportedLanguagesText()}.`;
    this.registry.register(
      sandboxOperation({
        id: 'code.run',
        summary: 'Run code in a sandbox',
        description:
          'Writes the code to a temporary file in the sandbox, compiles it if the language needs it, runs it in the ' +
          'sandbox’s working directory and removes the file. The timeout covers compiling and running. ' +
          languages,
        input: RunCodeInput,
        output: CodeResultOutput,
        hints: { readOnly: false, destructive: false, idempotent: false },
        http: { method: 'POST', path: 'code' },
        handler: async (ctx, input) =>
          runner.run(ctx, resolveRunLanguage(input.language, ctx.sandbox, this.templates), input),
      }),
    );
    this.registry.register(
      sandboxOperation({
        id: 'code.start',
        summary: 'Start code as a background process',
        description:
          'Runs code as code.run does (the same files, compile step, timeout and clean-up), but as a background ' +
          'process under the process supervisor, and answers at once with its process id: follow it with ' +
          'process.wait or process.logs, stop it with process.kill. `stdin` is written and then closed. Needs ' +
          'capability-processes. ' +
          languages,
        input: RunCodeInput,
        output: CodeProcessOutput,
        hints: { readOnly: false, destructive: false, idempotent: false },
        http: { method: 'POST', path: 'code/start', status: 201 },
        handler: async (ctx, input) =>
          starter.start(ctx, resolveRunLanguage(input.language, ctx.sandbox, this.templates), input),
      }),
    );
    this.registry.register(
      globalOperation({
        id: 'code.execute',
        summary: 'Run code in a fresh sandbox',
        description:
          'One shot: creates a sandbox from the language’s template, runs the code as code.run does, and destroys the ' +
          'sandbox, also when the run fails, times out or the caller disconnects. ' +
          languages,
        input: ExecuteCodeInput,
        output: CodeResultOutput,
        hints: { readOnly: false, destructive: false, idempotent: false },
        http: { method: 'POST', path: 'execute' },
        handler: async (ctx, input) => oneShot.execute(ctx, input),
      }),
    );
    this.registry.register(
      globalOperation({
        id: 'code.languages',
        summary: 'List the supported languages',
        description:
          'Every language code.run and code.execute accept, with its aliases and the template that has its toolchain.',
        input: ListLanguagesInput,
        output: LanguageListOutput,
        hints: { readOnly: true, idempotent: true },
        http: { method: 'GET', path: 'code/languages' },
        handler: async () => ({
          languages: CODE_LANGUAGES.map((l) => ({
            name: l.id,
            aliases: [...l.aliases],
            template: this.templates.templateFor(l),
          })),
        }),
      }),
    );
  }
}
