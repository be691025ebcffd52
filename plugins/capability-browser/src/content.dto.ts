import { Allow, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { TargetInput } from './interaction.dto.js';
import { TimeoutInput } from './navigation.dto.js';

/** With ref or selector, only that element. */
export class ScreenshotInput extends TargetInput {
  @IsOptional() @IsBoolean() @JSONSchema({ description: 'The whole page, not just the viewport' }) fullPage?: boolean;

  @IsOptional()
  @IsIn(['png', 'jpeg'])
  @JSONSchema({ description: 'png (default) or jpeg', enum: ['png', 'jpeg'] })
  format?: 'png' | 'jpeg';

  @IsOptional() @IsInt() @Min(1) @Max(100) @JSONSchema({ description: 'JPEG quality (default 80)' }) quality?: number;
}

export class ScreenshotOutput {
  @IsString() @JSONSchema({ description: 'The image, base64' }) data: string;
  @IsIn(['png', 'jpeg']) format: string;
  @IsInt() @JSONSchema({ description: 'Image width in pixels' }) width: number;
  @IsInt() @JSONSchema({ description: 'Image height in pixels' }) height: number;
}

export class EvaluateInput extends TimeoutInput {
  @IsString()
  @MinLength(1)
  @MaxLength(1_000_000)
  @JSONSchema({
    description: 'A JavaScript expression run in the page; a promise is awaited',
    example: 'document.querySelector("#result").textContent',
  })
  expression: string;
}

export class EvaluateOutput {
  @Allow()
  @JSONSchema({ description: 'The result as JSON (null for undefined; NaN, Infinity and bigints as strings)' })
  value: unknown;

  @IsString() @JSONSchema({ description: 'Its JavaScript type' }) type: string;
}

export class SelectorInput {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @JSONSchema({ description: 'Only the first element this CSS selector matches (default: the whole page)' })
  selector?: string;
}

export class TextInput extends SelectorInput {
  @IsOptional()
  @IsIn(['text', 'markdown'])
  @JSONSchema({ description: 'text (what is rendered, default) or markdown', enum: ['text', 'markdown'] })
  format?: 'text' | 'markdown';
}

export class ContentOutput {
  @IsString() content: string;
  @IsBoolean() @JSONSchema({ description: 'True when it was cut at the size cap' }) truncated: boolean;
}

export class PdfOutput {
  @IsString() @JSONSchema({ description: 'The PDF, base64' }) data: string;
  @IsInt() @JSONSchema({ description: 'Its size in bytes' }) bytes: number;
}

export class ScreencastInput {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(30)
  @JSONSchema({ description: 'Frames per second at most (default 2, capped by the plugin option)' })
  fps?: number;
  @IsOptional() @IsInt() @Min(1) @Max(100) @JSONSchema({ description: 'JPEG quality (default 60)' }) quality?: number;
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(7680)
  @JSONSchema({ description: 'Largest frame width (default 1280)' })
  maxWidth?: number;
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(4320)
  @JSONSchema({ description: 'Largest frame height (default 720)' })
  maxHeight?: number;
  @IsOptional()
  @IsInt()
  @Min(100)
  @JSONSchema({ description: 'Stop after this many ms (default 60000, at most the plugin option)' })
  durationMs?: number;
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  @JSONSchema({ description: 'Stop after this many frames' })
  maxFrames?: number;
}
