import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { validate } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { Limits } from '@sandboxed/plugin-sdk';
import { filesOperations } from './files.operations.js';
import { GrepFilesInput, ListFilesOutput } from './file-listing.dto.js';
import { WriteFileInput } from './file-content.dto.js';
import { GlobFilesInput } from './file-listing.dto.js';

const limits: Limits = {
  exec: { timeoutMs: 1000, maxTimeoutMs: 1000, maxOutputBytes: 1000 },
  files: { maxReadBytes: 1000, maxWriteBytes: 1000, maxListEntries: 10, timeoutMs: 30_000 },
  sandbox: { defaultTtlSeconds: 3600, maxTtlSeconds: 86400 },
};

type Schema = { properties?: Record<string, { description?: string }>; required?: string[] };

function schemaOf(dto: Function): Schema {
  return targetConstructorToSchema(dto, { classTransformerMetadataStorage: defaultMetadataStorage }) as Schema;
}

async function problems(dto: new () => object, raw: object): Promise<string[]> {
  const errors = await validate(plainToInstance(dto, raw), { whitelist: true, forbidNonWhitelisted: true });
  return errors.map((e) => e.property);
}

describe('files DTOs', () => {
  it('describe every field of every input and output schema', () => {
    for (const op of filesOperations(limits)) {
      const dtos = [op.input, ...(!op.stream && typeof op.output === 'function' ? [op.output] : [])];
      for (const dto of dtos) {
        const schema = schemaOf(dto);
        const props = Object.entries(schema.properties ?? {});
        expect([op.id, dto.name, props.length > 0]).toEqual([op.id, dto.name, true]);
        for (const [name, prop] of props) {
          expect([dto.name, name, Boolean(prop.description)]).toEqual([dto.name, name, true]);
          // Only refs to our own nested DTOs: a ref to `Object` would be lost when the kernel inlines schemas.
          expect([dto.name, name, JSON.stringify(prop)]).not.toEqual([
            dto.name,
            name,
            expect.stringContaining('definitions/Object'),
          ]);
        }
      }
    }
  });

  it('describe nested output items', () => {
    const schema = schemaOf(ListFilesOutput) as { properties: Record<string, { items?: { $ref?: string } }> };
    expect(schema.properties.entries!.items?.$ref).toMatch(/FileEntry$/);
  });

  it('validate modes, encodings and unknown fields', async () => {
    expect(await problems(WriteFileInput, { path: 'a', content: 'x', mode: '0644' })).toEqual([]);
    expect(await problems(WriteFileInput, { path: 'a', content: 'x', mode: 0o755 })).toEqual([]);
    expect(await problems(WriteFileInput, { path: 'a', content: 'x', mode: '0999' })).toEqual(['mode']);
    expect(await problems(WriteFileInput, { path: 'a', content: 'x', mode: 5000 })).toEqual(['mode']);
    expect(await problems(WriteFileInput, { path: 'a', content: 'x', encoding: 'hex' })).toEqual(['encoding']);
    expect(await problems(WriteFileInput, { path: '', content: 'x' })).toEqual(['path']);
    expect(await problems(WriteFileInput, { path: 'a', content: 'x', extra: 1 })).toEqual(['extra']);
    expect(await problems(GrepFilesInput, { pattern: 'x', maxResults: 10001 })).toEqual(['maxResults']);
    expect(await problems(GrepFilesInput, { pattern: 'x', maxResults: '5' })).toEqual(['maxResults']);
    expect(await problems(GlobFilesInput, { pattern: '../x' })).toEqual(['pattern']);
    expect(await problems(GlobFilesInput, { pattern: 'a/../../x' })).toEqual(['pattern']);
    expect(await problems(GlobFilesInput, { pattern: '/etc/*' })).toEqual(['pattern']);
    expect(await problems(GlobFilesInput, { pattern: '**/..foo/*.ts' })).toEqual([]);
  });
});
