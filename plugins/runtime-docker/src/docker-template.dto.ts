import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, Min } from 'class-validator';
import { templateMapConstraint } from '@sandboxed/plugin-sdk';
import type { DockerNetwork } from './docker-runtime.options.js';

/** One entry of the `templates` option. Only these keys exist: no mounts, privileges or host network. */
export class DockerTemplateDto {
  @IsString()
  @IsNotEmpty()
  image: string;

  @IsOptional()
  @IsIn(['none', 'bridge'])
  network?: DockerNetwork;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  language?: string;

  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(100_000)
  pidsLimit?: number;

  @IsOptional()
  @IsObject()
  env?: Record<string, string>;
}

export const TemplateMapConstraint = templateMapConstraint(DockerTemplateDto, {
  pattern: /^[a-z0-9][a-z0-9._-]{0,62}$/,
  hint: 'lower-case like "python"',
});
