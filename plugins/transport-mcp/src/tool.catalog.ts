import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  KERNEL_LIMITS,
  OPERATION_INVOKER,
  OPERATION_REGISTRY,
  SCHEMA_CATALOG,
  type JsonSchema,
  type Limits,
  type OperationInvoker,
  type OperationRegistry,
  type SchemaCatalog,
} from '@sandboxed/plugin-sdk';
import type { AliasDeps } from './alias.deps.js';
import { agentAliasTools } from './agent-alias.tools.js';
import { canBoundExec, CODE_COMMAND, SHELL_COMMAND } from './bounded-exec.runner.js';
import { boundedCommandTool } from './bounded-command.tool.js';
import { codeAliasTools } from './code-alias.tools.js';
import { compactTool } from './compact.tool.js';
import type { McpTool } from './mcp.tool.js';
import { MCP_OPTIONS } from './mcp.tokens.js';
import type { ResolvedMcpOptions } from './mcp-options.dto.js';
import { isBinaryOperation, operationTool } from './operation-tool.factory.js';
import { sandboxAliasTools } from './sandbox-alias.tools.js';
import { bindTool, boundForm, parseEndpointKey, type BoundForm } from './sandbox-binding.js';
import { ToolArgumentsValidator, type ArgumentsCheck } from './tool-arguments.validator.js';
import { ToolSet } from './tool.set.js';

/** Operation tools whose calls answer within the bound (bounded-command.tool.ts). */
const BOUNDED_COMMANDS = [SHELL_COMMAND, CODE_COMMAND];
import { profileFilter } from './tool-profile.filter.js';

/** Every MCP tool, generated from the operation registry plus the aliases, and the tool set of each profile. */
@Injectable()
export class McpToolCatalog implements OnApplicationBootstrap {
  private readonly logger = new Logger('McpTransport');
  private readonly argumentsValidator = new ToolArgumentsValidator();
  private readonly validators = new WeakMap<McpTool, ArgumentsCheck>();
  private sets?: Map<string, ToolSet>;
  private readonly boundForms = new Map<string, BoundForm[]>();
  /** A bound endpoint's tool → the form it binds, whose schema its arguments are checked against. */
  private readonly formOf = new WeakMap<McpTool, McpTool>();

  constructor(
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    /** Also what serves sandbox files as resources (file-resources.handler.ts). */
    @Inject(OPERATION_INVOKER) readonly invoker: OperationInvoker,
    @Inject(SCHEMA_CATALOG) private readonly catalog: SchemaCatalog,
    @Inject(KERNEL_LIMITS) private readonly limits: Limits,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  /** Built once every plugin has registered its operations; a name clash stops boot. */
  onApplicationBootstrap(): void {
    this.build();
    const counts = [...this.sets!.values()].map((s) => `${s.profile}: ${s.definitions().length}`);
    this.logger.log(`MCP tools per profile: ${counts.join(', ')}`);
  }

  /**
   * The tools of an endpoint: a profile (`agent`), or a profile bound to one sandbox (`agent/<sandbox-id>`,
   * see sandbox-binding.ts); undefined when no such profile is configured. Whose sandbox it is, the invoker
   * checks on every call, as for any `sandbox_id`.
   */
  toolSet(endpoint: string): ToolSet | undefined {
    const parsed = parseEndpointKey(endpoint);
    const set = parsed && this.build().get(parsed.profile);
    if (!set || parsed.sandboxId === undefined) return set;
    const sandboxId = parsed.sandboxId;
    let forms = this.boundForms.get(parsed.profile);
    if (!forms) {
      forms = set.tools().flatMap((tool) => boundForm(tool) ?? []);
      this.boundForms.set(parsed.profile, forms);
    }
    const tools = forms.map((form) => {
      const tool = bindTool(form, sandboxId);
      this.formOf.set(tool, form.tool);
      return tool;
    });
    return new ToolSet(endpoint, tools, (tool) => this.validatorFor(this.formOf.get(tool) ?? tool));
  }

  private build(): Map<string, ToolSet> {
    if (this.sets) return this.sets;
    const all = this.allTools();
    this.sets = new Map(
      Object.entries(this.options.profiles).map(([name, profile]) => {
        const shown = all.filter(profileFilter(profile));
        return [name, new ToolSet(name, profile.compact ? shown.map(compactTool) : shown, (t) => this.validatorFor(t))];
      }),
    );
    return this.sets;
  }

  private allTools(): McpTool[] {
    const ops = this.registry.list();
    const deps = { catalog: this.catalog, invoker: this.invoker, maxOutputBytes: this.limits.exec.maxOutputBytes };
    const aliasDeps = this.aliasDeps();
    const tools = ops
      .filter((op) => !isBinaryOperation(op))
      .map((op) => operationTool(op, deps))
      .map((tool) => {
        const command = BOUNDED_COMMANDS.find((c) => c.op === tool.opId);
        return command && canBoundExec(aliasDeps, command)
          ? boundedCommandTool(tool, aliasDeps, aliasDeps.execBounds, command)
          : tool;
      });
    const registered = new Set(ops.map((op) => op.id));
    const aliases = [...sandboxAliasTools(aliasDeps), ...codeAliasTools(aliasDeps), ...agentAliasTools(aliasDeps)];
    // An alias needs the operations it calls (run_code and execute_python need capability-code).
    tools.push(...aliases.filter((a) => a.operations.every((id) => registered.has(id))));
    const seen = new Map<string, McpTool>();
    for (const tool of tools) {
      const prior = seen.get(tool.definition.name);
      if (prior) {
        const what = (t: McpTool): string => (t.opId ? `operation ${t.opId}` : 'an alias');
        throw new Error(`MCP tool name "${tool.definition.name}" is taken twice: by ${what(prior)} and ${what(tool)}`);
      }
      seen.set(tool.definition.name, tool);
    }
    return tools;
  }

  private aliasDeps(): AliasDeps {
    return {
      invoker: this.invoker,
      outputSchemaOf: (opId) => {
        const op = this.registry.get(opId);
        const output = op && !op.stream ? op.output : undefined;
        return output && output !== 'binary' ? this.catalog.schemaFor(output as never) : undefined;
      },
      hasOperation: (opId) => this.registry.get(opId) !== undefined,
      inputPropertyOf: (opId, property) => {
        const op = this.registry.get(opId);
        const props = op ? (this.catalog.schemaFor(op.input as never).properties as Record<string, JsonSchema>) : {};
        return props?.[property];
      },
      execBounds: {
        boundMs: this.options.toolTimeoutMs,
        defaultTimeoutMs: Math.min(
          this.options.commandTimeoutMs ?? this.limits.exec.maxTimeoutMs,
          this.limits.exec.maxTimeoutMs,
        ),
        maxOutputBytes: this.limits.exec.maxOutputBytes,
      },
    };
  }

  private validatorFor(tool: McpTool): ArgumentsCheck {
    let validate = this.validators.get(tool);
    if (!validate) {
      try {
        validate = this.argumentsValidator.compile(tool.definition.inputSchema as JsonSchema);
      } catch (err) {
        // The invoker still validates the DTO; the schema only fails to compile here.
        this.logger.error(`Tool ${tool.definition.name}: input schema does not compile (${(err as Error).message})`);
        validate = () => undefined;
      }
      this.validators.set(tool, validate);
    }
    return validate;
  }
}
