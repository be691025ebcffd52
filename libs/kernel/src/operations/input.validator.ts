import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import { InvalidArgumentError, MAX_JSON_DEPTH, type Class } from '@sandboxed/plugin-sdk';
import { valueDepthExceeds } from './value-depth.js';

export interface FieldProblem {
  path: string;
  problems: string[];
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.endsWith('should not exist') ? 'unknown field' : m));
    return [...(own.length ? [{ path, problems: own }] : []), ...flatten(e.children ?? [], path)];
  });
}

/** Turns untrusted input into a validated DTO instance; unknown fields are refused, not dropped. */
export async function validateInput<T extends object>(dto: Class<T>, raw: unknown): Promise<T> {
  const source = raw ?? {};
  if (typeof source !== 'object' || Array.isArray(source))
    throw new InvalidArgumentError('Input must be a JSON object');
  // Transports that parse JSON themselves (MCP) reach here with any depth; the transform below recurses.
  if (valueDepthExceeds(source))
    throw new InvalidArgumentError(`Input is nested deeper than ${MAX_JSON_DEPTH} levels; send flatter JSON`);
  const instance = plainToInstance(dto as new () => T, source);
  // A DTO without fields (an operation that takes no input) has no metadata for class-validator to
  // whitelist against: any field is unknown.
  if (getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).length === 0) {
    const fields = Object.keys(source).map((path) => ({ path, problems: ['unknown field'] }));
    if (fields.length > 0)
      throw new InvalidArgumentError(`Invalid input: ${fields.map((f) => `${f.path}: unknown field`).join('; ')}`, {
        fields,
      });
    return instance;
  }
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    const fields = flatten(errors);
    const summary = fields.map((f) => `${f.path}: ${f.problems.join(', ')}`).join('; ');
    throw new InvalidArgumentError(`Invalid input: ${summary}`, { fields });
  }
  return instance;
}
