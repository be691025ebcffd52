import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { IsObject, IsOptional, IsString } from 'class-validator';
import { InvalidArgumentError, MAX_JSON_DEPTH } from '@sandboxed/plugin-sdk';
import { validateInput } from './input.validator.js';

class FreeForm {
  @IsObject() value: Record<string, unknown>;
}

class Strict {
  @IsOptional() @IsString() name?: string;
}

/** `depth` objects nested in one another, parsed from text as a transport would (building it recursively is the bug). */
const nested = (depth: number): unknown => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
const nestedArrays = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('validateInput: nesting depth (issue 8, item 14)', () => {
  it.each([
    ['objects', nested(50_000)],
    ['arrays', nestedArrays(50_000)],
  ])(
    'refuses %s 50,000 levels deep inside a free-form field with invalid_argument naming the limit',
    async (_what, deep) => {
      const refused = validateInput(FreeForm, { value: deep });
      await expect(refused).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(refused).rejects.toThrow(`Input is nested deeper than ${MAX_JSON_DEPTH} levels; send flatter JSON`);
    },
  );

  it('refuses deep input before looking at fields, even those a DTO does not have', async () => {
    await expect(validateInput(Strict, { extra: nested(50_000) })).rejects.toThrow(/nested deeper than 64 levels/);
  });

  it('counts the input object itself as the first level: 64 levels pass, 65 do not', async () => {
    await expect(validateInput(FreeForm, { value: nested(MAX_JSON_DEPTH - 1) })).resolves.toBeInstanceOf(FreeForm);
    await expect(validateInput(FreeForm, { value: nested(MAX_JSON_DEPTH) })).rejects.toThrow(/nested deeper/);
    await expect(validateInput(FreeForm, { value: { list: nestedArrays(MAX_JSON_DEPTH - 2) } })).resolves.toBeDefined();
    await expect(validateInput(FreeForm, { value: { list: nestedArrays(MAX_JSON_DEPTH - 1) } })).rejects.toThrow(
      /nested deeper/,
    );
  });

  it('keeps the usual field errors for shallow input', async () => {
    await expect(validateInput(Strict, { name: { a: { b: 1 } } })).rejects.toThrow(
      /^Invalid input: name: .*must be a string/,
    );
  });
});
