import type { Tool } from '@modelcontextprotocol/server';
import type { McpTool } from './mcp.tool.js';
import type { ArgumentsCheck, FieldProblem } from './tool-arguments.validator.js';

/** The tools one profile exposes, with a validator for each tool's arguments. */
export class ToolSet {
  private readonly byName: Map<string, McpTool>;

  constructor(
    readonly profile: string,
    tools: McpTool[],
    private readonly validatorOf: (tool: McpTool) => ArgumentsCheck,
  ) {
    this.byName = new Map(tools.map((t) => [t.definition.name, t]));
  }

  tools(): McpTool[] {
    return [...this.byName.values()];
  }

  definitions(): Tool[] {
    return [...this.byName.values()].map((t) => t.definition);
  }

  get(name: string): McpTool | undefined {
    return this.byName.get(name);
  }

  /** Which arguments do not match the tool's input schema and why, or undefined when they all do. */
  problemsWith(tool: McpTool, args: unknown): FieldProblem[] | undefined {
    return this.validatorOf(tool)(args);
  }
}
