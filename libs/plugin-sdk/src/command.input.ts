import { posix } from 'node:path';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { InvalidArgumentError } from './errors.js';

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What to run: a shell `command` or an `argv`, with `cwd` and `env`. Operations that start programs
 * (shell.exec, process.start, ...) extend it with their own fields, so every one takes them alike.
 */
export class CommandInput {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(131072)
  @JSONSchema({
    description: 'Shell command, run by `/bin/sh -c`. Give either `command` or `argv`.',
    example: 'echo hi',
  })
  command?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4096)
  @IsString({ each: true })
  @JSONSchema({ description: 'Program and arguments, run without a shell', example: ['ls', '-la'] })
  argv?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  @JSONSchema({
    description: 'Working directory; relative to the sandbox workdir (default: the workdir)',
    example: '.',
  })
  cwd?: string;

  @IsOptional()
  @IsObject()
  @JSONSchema({ description: 'Extra environment variables', additionalProperties: { type: 'string' } })
  env?: Record<string, string>;
}

export interface ResolvedCommand {
  argv: string[];
  /** Absolute, inside the sandbox. */
  cwd: string;
  env?: Record<string, string>;
}

/** Checks what the decorators cannot (exactly one of command/argv, env names) and resolves argv and cwd. */
export function resolveCommand(input: CommandInput, workdir: string): ResolvedCommand {
  if ((input.command === undefined) === (input.argv === undefined)) {
    throw new InvalidArgumentError('Give exactly one of `command` (a shell string) or `argv` (a list)');
  }
  for (const [k, v] of Object.entries(input.env ?? {})) {
    if (!ENV_KEY.test(k)) throw new InvalidArgumentError(`env: "${k}" is not a valid variable name`);
    if (typeof v !== 'string') throw new InvalidArgumentError(`env.${k}: must be a string`);
  }
  return {
    argv: input.argv ?? ['/bin/sh', '-c', input.command!],
    cwd: input.cwd ? posix.resolve(workdir, input.cwd) : workdir,
    env: input.env,
  };
}
