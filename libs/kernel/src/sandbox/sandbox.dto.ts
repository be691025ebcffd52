import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

export class SandboxResourcesDto {
  @IsOptional()
  @IsNumber()
  @Min(0.01)
  @Max(256)
  @JSONSchema({ description: 'CPU cores (fractions allowed); capped by sandbox.maxResources.cpu', example: 1 })
  cpu?: number;

  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(1048576)
  @JSONSchema({ description: 'Memory limit in MiB; capped by sandbox.maxResources.memoryMb', example: 512 })
  memoryMb?: number;

  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(1048576)
  @JSONSchema({ description: 'Most processes at once; capped by sandbox.maxResources.pids', example: 512 })
  pids?: number;

  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(16777216)
  @JSONSchema({
    description: 'Disk for /workspace and, separately, /tmp in MiB; capped by sandbox.maxResources.diskMb',
    example: 1024,
  })
  diskMb?: number;
}

export class CreateSandboxInput {
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{0,62}$/, { message: 'template must be a lower-case name like "python"' })
  @JSONSchema({
    description: 'Template name (image and defaults); default from sandbox.defaultTemplate',
    example: 'base',
  })
  template?: string;

  @IsOptional()
  @IsObject()
  @JSONSchema({
    description: 'Environment variables for every command in the sandbox',
    additionalProperties: { type: 'string' },
    example: { FOO: 'bar' },
  })
  env?: Record<string, string>;

  @IsOptional()
  @IsObject()
  @JSONSchema({
    description: 'Free-form labels (keys: letters, digits, `._-/`; the `sandboxed.` prefix is reserved)',
    additionalProperties: { type: 'string' },
    example: { project: 'demo' },
  })
  labels?: Record<string, string>;

  @IsOptional()
  @IsInt()
  @Min(1)
  @JSONSchema({ description: 'Seconds until the sandbox is destroyed; capped by sandbox.maxTtlSeconds', example: 3600 })
  ttlSeconds?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => SandboxResourcesDto)
  @JSONSchema({ description: 'Resource limits' })
  resources?: SandboxResourcesDto;
}

export class SandboxIdInput {
  @IsString()
  @MaxLength(256)
  @JSONSchema({ description: 'Sandbox id' })
  id: string;
}

export class ListSandboxesInput {
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @JSONSchema({ description: 'Label selector: `key=value` pairs separated by commas', example: 'project=demo' })
  labels?: string;
}

export class SandboxDto {
  @IsString() @JSONSchema({ description: 'Unguessable sandbox id' }) id: string;
  @IsString() @JSONSchema({ description: 'Template it was created from' }) template: string;
  @IsIn(['running', 'stopped', 'starting', 'error']) @JSONSchema({ description: 'Lifecycle status' }) status: string;
  @IsObject() @JSONSchema({ description: 'Labels', additionalProperties: { type: 'string' } }) labels: Record<
    string,
    string
  >;
  @ValidateNested()
  @Type(() => SandboxResourcesDto)
  @JSONSchema({ description: 'Effective resource limits' })
  resources: SandboxResourcesDto;
  @IsString() @JSONSchema({ description: 'Runtime holding it', example: 'local' }) runtime: string;
  @IsString()
  @JSONSchema({ description: 'Working directory; relative paths resolve against it', example: '/workspace' })
  workdir: string;
  @IsString() @JSONSchema({ description: 'Creation time (ISO 8601)', format: 'date-time' }) createdAt: string;
  @IsString()
  @JSONSchema({ description: 'Expiry time (ISO 8601); the reaper destroys it after', format: 'date-time' })
  expiresAt: string;
}

export class SandboxListDto {
  @ValidateNested({ each: true })
  @Type(() => SandboxDto)
  @JSONSchema({ description: 'Your sandboxes' })
  sandboxes: SandboxDto[];
  @IsInt() @JSONSchema({ description: 'How many' }) count: number;
}
