import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { PathField } from './path-field.decorator.js';

export class MakeDirectoryInput {
  @PathField('Directory to create.', { example: 'build/out' })
  path: string;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({ description: 'Create missing parents and succeed if it already exists. Default true.', example: true })
  parents?: boolean;
}

export class DeleteFileInput {
  @PathField('File, symlink or directory to delete (a symlink itself is deleted, not its target).', {
    example: 'build',
  })
  path: string;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({ description: 'Delete a non-empty directory with everything in it. Default false.', example: false })
  recursive?: boolean;
}

export class MoveFileInput {
  @PathField('What to move or rename (a symlink is moved itself).', { example: 'old.txt' })
  from: string;

  @PathField('The exact new path (not a directory to move into); parents are created.', { example: 'new.txt' })
  to: string;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({
    description: 'Replace an existing `to` of the same kind (file or directory). Default false.',
    example: false,
  })
  overwrite?: boolean;
}

export class CopyFileInput {
  @PathField('File or directory to copy.', { example: 'template' })
  from: string;

  @PathField('The exact path of the copy (not a directory to copy into); parents are created.', { example: 'project' })
  to: string;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({ description: 'Required to copy a directory (with everything in it). Default false.', example: false })
  recursive?: boolean;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({
    description: 'Replace an existing `to` of the same kind (file or directory). Default false.',
    example: false,
  })
  overwrite?: boolean;
}

export class FilePathOutput {
  @IsString()
  @JSONSchema({ description: 'Absolute path acted on.', example: '/workspace/build/out' })
  path: string;
}

export class FileTransferOutput {
  @IsString()
  @JSONSchema({ description: 'Absolute source path.', example: '/workspace/old.txt' })
  from: string;

  @IsString()
  @JSONSchema({ description: 'Absolute destination path.', example: '/workspace/new.txt' })
  to: string;
}
