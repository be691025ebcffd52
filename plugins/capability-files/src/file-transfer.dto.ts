import { IsInt, IsString, Min } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { PathField } from './path-field.decorator.js';

export class UploadFileInput {
  @PathField(
    'Where to store the request body; parent directories are created and an existing file is replaced atomically.',
  )
  path: string;
}

export class UploadFileOutput {
  @IsString()
  @JSONSchema({ description: 'Absolute path of the stored file.', example: '/workspace/data.bin' })
  path: string;

  @IsInt()
  @Min(0)
  @JSONSchema({ description: 'Bytes stored.', example: 5242880 })
  size: number;
}

export class DownloadFileInput {
  @PathField('Regular file to download as raw bytes.')
  path: string;
}
