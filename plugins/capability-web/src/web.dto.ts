import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

export const FETCH_FORMATS = ['markdown', 'text', 'html'] as const;
export type FetchFormat = (typeof FETCH_FORMATS)[number];

export class WebFetchInput {
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  @JSONSchema({ description: 'An http or https URL on a public address', example: 'https://example.com/' })
  url: string;

  @IsOptional()
  @IsIn([...FETCH_FORMATS])
  @JSONSchema({
    description: 'markdown (the main content, default), text (its readable text) or html (the raw page)',
    enum: [...FETCH_FORMATS],
  })
  format?: FetchFormat;

  @IsOptional()
  @IsInt()
  @Min(1)
  @JSONSchema({
    description: 'Stop reading the body after this many bytes (default 2 MiB, at most the maxBytesLimit option)',
  })
  maxBytes?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @JSONSchema({
    description:
      'Deadline for connecting, redirects and the body together, in ms (default 15000, at most the maxTimeoutMs option)',
  })
  timeoutMs?: number;
}

export class WebFetchOutput {
  @IsString() @JSONSchema({ description: 'The URL asked for' }) url: string;
  @IsString() @JSONSchema({ description: 'The URL answered, after redirects' }) finalUrl: string;
  @IsInt() @JSONSchema({ description: 'HTTP status of the final response' }) status: number;
  @IsString() @JSONSchema({ description: 'Its Content-Type ("" when it sent none)' }) contentType: string;
  @IsString() @JSONSchema({ description: 'The page title ("" when there is none)' }) title: string;
  @IsString()
  @JSONSchema({ description: 'The content in the format asked for; "" for binary media types (see binary)' })
  content: string;
  @IsBoolean() @JSONSchema({ description: 'True when the body was cut at maxBytes' }) truncated: boolean;
  @IsBoolean()
  @JSONSchema({ description: 'True when the media type is not text, so the body was not read and content is ""' })
  binary: boolean;
}

export class WebSearchInput {
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  @JSONSchema({ description: 'What to search for', example: 'bubblewrap sandbox' })
  query: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  @JSONSchema({ description: 'At most this many results (default 10, at most 50)' })
  limit?: number;
}

export class WebSearchResult {
  @IsString() @JSONSchema({ description: 'Result title' }) title: string;
  @IsString() @JSONSchema({ description: 'Result URL' }) url: string;
  @IsString() @JSONSchema({ description: 'Text the provider quotes from the page ("" when none)' }) snippet: string;
}

export class WebSearchOutput {
  @ValidateNested({ each: true })
  @Type(() => WebSearchResult)
  @JSONSchema({ description: 'Results in the provider’s order' })
  results: WebSearchResult[];
}
