import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { InvalidArgumentError, type JsonSchema } from '@sandboxed/plugin-sdk';

const require = createRequire(import.meta.url);

/** One argument and what is wrong with it; the same shape the kernel's input validation reports. */
export interface FieldProblem {
  path: string;
  problems: string[];
}

/** Checks a tool's arguments; undefined when they are fine. */
export type ArgumentsCheck = (args: unknown) => FieldProblem[] | undefined;

const ARTICLE: Record<string, string> = { object: 'an object', array: 'an array', integer: 'an integer' };
const MAX_SHOWN = 60;

function typeWords(type: unknown): string {
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => ARTICLE[String(t)] ?? (t === 'null' ? 'null' : `a ${String(t)}`)).join(' or ');
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** `/labels/team` → `labels.team`, the way the kernel names nested fields. */
function pathOf(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (child !== undefined) parts.push(child);
  return parts.map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).join('.') || '(arguments)';
}

/** What a property of the schema wants, for a "required" message: `a string (Id of the sandbox)`. */
function wanted(schema: JsonSchema | undefined): string {
  if (!schema) return '';
  const type = schema.type === undefined ? '' : typeWords(schema.type);
  const description = typeof schema.description === 'string' ? schema.description : '';
  if (type && description) return `: ${type} (${description})`;
  return type || description ? `: ${type || description}` : '';
}

function problemOf(e: ErrorObject): FieldProblem {
  const parent = (e.parentSchema ?? {}) as JsonSchema;
  const properties = (parent.properties ?? {}) as Record<string, JsonSchema>;
  switch (e.keyword) {
    case 'required': {
      const name = String(e.params.missingProperty);
      return { path: pathOf(e.instancePath, name), problems: [`required${wanted(properties[name])}`] };
    }
    case 'additionalProperties': {
      const takes = Object.keys(properties);
      const owner = e.instancePath ? pathOf(e.instancePath) : 'this tool';
      const hint = takes.length ? `${owner} takes: ${takes.join(', ')}` : `${owner} takes none`;
      return {
        path: pathOf(e.instancePath, String(e.params.additionalProperty)),
        problems: [`unknown field (${hint})`],
      };
    }
    case 'type':
      return {
        path: pathOf(e.instancePath),
        problems: [`must be ${typeWords(e.params.type)} (got ${typeOf(e.data)})`],
      };
    case 'enum':
      return {
        path: pathOf(e.instancePath),
        problems: [
          `must be one of: ${(e.params.allowedValues as unknown[]).map(shown).join(', ')} (got ${shown(e.data)})`,
        ],
      };
    case 'pattern': {
      const description = typeof parent.description === 'string' ? `; ${parent.description}` : '';
      return {
        path: pathOf(e.instancePath),
        problems: [`must match ${String(e.params.pattern)}${description} (got ${shown(e.data)})`],
      };
    }
    default:
      return { path: pathOf(e.instancePath), problems: [`${e.message ?? 'is invalid'} (got ${shown(e.data)})`] };
  }
}

/** Problems grouped by field, in the order first seen, without repeats. */
function grouped(errors: ErrorObject[]): FieldProblem[] {
  const byPath = new Map<string, string[]>();
  for (const { path, problems } of errors.map(problemOf)) {
    const list = byPath.get(path) ?? [];
    for (const p of problems) if (!list.includes(p)) list.push(p);
    byPath.set(path, list);
  }
  return [...byPath].map(([path, problems]) => ({ path, problems }));
}

/**
 * Compiles tool input schemas into checks that name each bad argument and what it should be, for a
 * tool result the model can act on. Formats are left to the operation's own validation. Ajv is loaded
 * by the first compile (the first tools/call), not at boot.
 */
export class ToolArgumentsValidator {
  private ajv?: Ajv;

  /** Throws when the schema does not compile. */
  compile(schema: JsonSchema): ArgumentsCheck {
    this.ajv ??= new (require('ajv') as typeof import('ajv')).Ajv({
      allErrors: true,
      strict: false,
      validateFormats: false,
      validateSchema: false,
      verbose: true,
    });
    const validate: ValidateFunction = this.ajv.compile(schema);
    return (args) => (validate(args) ? undefined : grouped(validate.errors ?? []));
  }
}

/** The typed error for arguments that do not match a tool's input schema. */
export function invalidArguments(tool: string, fields: FieldProblem[]): InvalidArgumentError {
  const summary = fields.map((f) => `${f.path}: ${f.problems.join(', ')}`).join('; ');
  return new InvalidArgumentError(`Invalid arguments for tool ${tool}: ${summary}`, { fields });
}
