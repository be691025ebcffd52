import type { Limits, SandboxOperationContext } from '@sandboxed/plugin-sdk';
import { AtomicFileWriter } from './atomic-file.writer.js';
import { SandboxPathResolver } from './sandbox-path.resolver.js';
import { SandboxShell } from './sandbox-shell.js';

/** What every files handler works with, bound to one call's sandbox. */
export interface FilesToolkit {
  shell: SandboxShell;
  paths: SandboxPathResolver;
  writer: AtomicFileWriter;
  limits: Limits;
}

export function filesToolkit(ctx: SandboxOperationContext, limits: Limits): FilesToolkit {
  const shell = new SandboxShell(ctx, limits);
  return { shell, paths: new SandboxPathResolver(shell), writer: new AtomicFileWriter(shell), limits };
}
