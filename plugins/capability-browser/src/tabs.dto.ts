import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { TimeoutInput, WAIT_UNTIL } from './navigation.dto.js';

export class TabOutput {
  @IsString() @JSONSchema({ description: 'Tab id, for tabs.switch and tabs.close' }) id: string;
  @IsString() url: string;
  @IsString() title: string;
  @IsBoolean() @JSONSchema({ description: 'The tab operations act on' }) active: boolean;
}

export class TabList {
  @IsArray() @ValidateNested({ each: true }) @Type(() => TabOutput) tabs: TabOutput[];
}

export class TabOpenInput extends TimeoutInput {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  @JSONSchema({ description: 'Open this http(s) URL in it (default about:blank)' })
  url?: string;

  @IsOptional() @IsIn([...WAIT_UNTIL]) @JSONSchema({ enum: [...WAIT_UNTIL] }) waitUntil?: (typeof WAIT_UNTIL)[number];
}

export class TabIdInput {
  @IsString() @MinLength(1) @MaxLength(200) @JSONSchema({ description: 'A tab id from tabs.list' }) tabId: string;
}

export class TabClosedOutput {
  @IsString() id: string;
  @IsBoolean() closed: boolean;
}

export class DownloadOutput {
  @IsString() id: string;
  @IsString() url: string;
  @IsString() filename: string;
  @IsString() @JSONSchema({ description: 'Where it is inside the sandbox (readable with files.read)' }) path: string;
  @IsIn(['inProgress', 'completed', 'canceled']) state: string;
  @IsInt() receivedBytes: number;
  @IsInt() totalBytes: number;
}

export class DownloadList {
  @IsArray() @ValidateNested({ each: true }) @Type(() => DownloadOutput) downloads: DownloadOutput[];
}
