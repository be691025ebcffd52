import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { TimeoutInput } from './navigation.dto.js';

export class TargetInput extends TimeoutInput {
  @IsOptional()
  @IsString()
  @Matches(/^e[0-9]{1,7}$/, { message: 'ref must look like e12 (from browser.snapshot)' })
  @JSONSchema({ description: 'A ref from the latest browser.snapshot (e.g. e12); or give selector', example: 'e12' })
  ref?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @JSONSchema({ description: 'A CSS selector; or give ref', example: 'button[type=submit]' })
  selector?: string;
}

export class ClickInput extends TargetInput {
  @IsOptional() @IsBoolean() @JSONSchema({ description: 'Double-click' }) doubleClick?: boolean;
}

export class TypeInput extends TargetInput {
  @IsString()
  @MaxLength(100_000)
  @JSONSchema({ description: 'Text that replaces the field’s contents' })
  text: string;

  @IsOptional() @IsBoolean() @JSONSchema({ description: 'Press Enter afterwards' }) submit?: boolean;
}

export class SelectInput extends TargetInput {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(1000, { each: true })
  @JSONSchema({ description: 'Option values or labels to select (one for a single <select>)' })
  values: string[];
}

/** ref/selector are optional here: the key goes to the focused element unless one is given. */
export class PressInput extends TargetInput {
  @IsString()
  @MinLength(1)
  @MaxLength(60)
  @JSONSchema({
    description: 'A key: one character, or Enter, Tab, Escape, ArrowDown, …, with modifiers (Control+a)',
    example: 'Enter',
  })
  key: string;
}

/** With ref or selector, scrolls that element into view; else by x and y. */
export class ScrollInput extends TargetInput {
  @IsOptional() @IsInt() @JSONSchema({ description: 'Pixels to scroll right (negative: left)' }) x?: number;
  @IsOptional() @IsInt() @JSONSchema({ description: 'Pixels to scroll down (negative: up)' }) y?: number;
}

export const WAIT_STATES = ['visible', 'hidden'] as const;

export class WaitInput extends TargetInput {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(10_000)
  @JSONSchema({ description: 'Wait for this text to appear in the page (or vanish, with state hidden)' })
  text?: string;

  @IsOptional()
  @IsIn([...WAIT_STATES])
  @JSONSchema({ description: 'visible (default) or hidden', enum: [...WAIT_STATES] })
  state?: (typeof WAIT_STATES)[number];
}

export class ActionOutput {
  @IsString() @JSONSchema({ description: 'The URL the tab shows after the action' }) url: string;
  @IsString() title: string;
}

export class SelectOutput extends ActionOutput {
  @IsArray() @IsString({ each: true }) @JSONSchema({ description: 'The values selected now' }) selected: string[];
}

export class ScrollOutput extends ActionOutput {
  @IsInt() scrollX: number;
  @IsInt() scrollY: number;
}

export class SnapshotOutput {
  @IsString() url: string;
  @IsString() title: string;
  @IsString()
  @JSONSchema({
    description:
      'The accessibility tree, one node a line (`- button "Send" [ref=e4]`); interactive nodes carry refs for click, type, hover, select and press',
  })
  snapshot: string;

  @IsInt() @JSONSchema({ description: 'How many refs the snapshot holds' }) refs: number;
  @IsBoolean() @JSONSchema({ description: 'True when the snapshot was cut at the size cap' }) truncated: boolean;
}

export class WaitOutput extends ActionOutput {
  @IsIn(['visible', 'hidden']) state: string;
}
