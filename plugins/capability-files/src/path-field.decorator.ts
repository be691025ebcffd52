import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

const MAX_PATH_LENGTH = 4096;

/** A sandbox path field: validation plus its JSON Schema, in one decorator. */
export function PathField(description: string, opts: { optional?: boolean; example?: string } = {}): PropertyDecorator {
  const decorators: PropertyDecorator[] = [
    IsString(),
    IsNotEmpty(),
    MaxLength(MAX_PATH_LENGTH),
    JSONSchema({
      description: `${description} Relative paths resolve against the sandbox workdir; absolute paths reach anywhere in the sandbox's own file system (e.g. /tmp), as its commands do.`,
      example: opts.example ?? 'src/index.ts',
    }) as PropertyDecorator,
  ];
  if (opts.optional) decorators.unshift(IsOptional());
  return (target, key) => {
    for (const decorate of decorators) decorate(target, key);
  };
}
