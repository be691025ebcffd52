import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

export const WAIT_UNTIL = ['load', 'domcontentloaded', 'networkidle'] as const;

export class TimeoutInput {
  @IsOptional()
  @IsInt()
  @Min(1)
  @JSONSchema({ description: 'Give up after this many ms (default: the plugin option, at most its maxTimeoutMs)' })
  timeoutMs?: number;
}

export class NavigateInput extends TimeoutInput {
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  @JSONSchema({
    description: 'An http or https URL (or about:blank), as seen from inside the sandbox: localhost is the sandbox',
    example: 'http://localhost:8000/',
  })
  url: string;

  @IsOptional()
  @IsIn([...WAIT_UNTIL])
  @JSONSchema({
    description: 'When the navigation counts as done: load (default), domcontentloaded or networkidle',
    enum: [...WAIT_UNTIL],
  })
  waitUntil?: (typeof WAIT_UNTIL)[number];
}

export class NavigationOutput {
  @IsString() @JSONSchema({ description: 'The URL the tab shows now' }) url: string;
  @IsString() @JSONSchema({ description: 'The page title' }) title: string;
  @IsInt()
  @JSONSchema({ description: 'HTTP status of the document; 0 when none was fetched (about:blank, cache, same page)' })
  status: number;
}

export class EmptyInput {}

export class ViewportSize {
  @IsInt() @Min(100) @Max(7680) @JSONSchema({ description: 'CSS pixels', example: 1280 }) width: number;
  @IsInt() @Min(100) @Max(4320) @JSONSchema({ description: 'CSS pixels', example: 720 }) height: number;
}

export class BrowserProcessInfo {
  @IsString() @JSONSchema({ description: 'Browser product and version' }) product: string;
  @IsOptional()
  @IsInt()
  @JSONSchema({
    description: 'How long this gateway’s cold start of the browser took, in ms (absent if it found it running)',
  })
  launchMs?: number;
}

export class InfoOutput {
  @IsString() url: string;
  @IsString() title: string;
  @IsString() @JSONSchema({ description: 'The active tab' }) tabId: string;
  @ValidateNested() @Type(() => ViewportSize) viewport: ViewportSize;
  @ValidateNested() @Type(() => BrowserProcessInfo) browser: BrowserProcessInfo;
}
