import { posix } from 'node:path';
import { ForbiddenError, InvalidArgumentError } from '@sandboxed/plugin-sdk';
import { commandError } from './command-error.mapper.js';
import type { SandboxShell } from './sandbox-shell.js';

/**
 * `follow`: the path's final component is followed if it is a symlink (read, write, list...).
 * `link`: the final component is acted on itself, never followed (delete, move, copy target),
 * so only its parent directory has to resolve inside the workspace.
 */
export type PathMode = 'follow' | 'link';

export interface ResolvedPath {
  /** The caller's path, absolute and normalized: what outputs report. */
  path: string;
  /** The path to act on inside the sandbox, with symlinks resolved. */
  real: string;
  /** True when this is the workspace root itself. */
  isRoot: boolean;
}

export function isWithin(root: string, candidate: string): boolean {
  return root === '/' || candidate === root || candidate.startsWith(`${root}/`);
}

/** Resolves a caller's path against the workdir without touching the sandbox; rejects escapes. */
export function resolveLexical(workdir: string, requested: string): string {
  if (typeof requested !== 'string' || requested.length === 0) throw new InvalidArgumentError('Path must not be empty');
  if (requested.includes('\0')) throw new InvalidArgumentError('Path must not contain NUL bytes');
  const root = posix.resolve('/', workdir);
  const absolute = posix.resolve(root, requested);
  if (!isWithin(root, absolute)) {
    throw new ForbiddenError(`Path '${requested}' resolves to '${absolute}', outside the workspace '${root}'`, {
      path: requested,
      workspace: root,
    });
  }
  return absolute;
}

/**
 * Resolves paths inside the sandbox with `realpath -m`, so a symlink that leads out of the
 * workspace is refused before any command acts on it.
 */
export class SandboxPathResolver {
  constructor(private readonly shell: SandboxShell) {}

  async resolve(requested: string, mode: PathMode = 'follow'): Promise<ResolvedPath> {
    const [resolved] = await this.resolveAll([{ path: requested, mode }]);
    return resolved!;
  }

  /** Resolves several paths with one exec. */
  async resolveAll(requests: ReadonlyArray<{ path: string; mode?: PathMode }>): Promise<ResolvedPath[]> {
    const root = posix.resolve('/', this.shell.workdir);
    const lexical = requests.map((r) => resolveLexical(root, r.path));
    const probes = lexical.map((abs, i) => (requests[i]!.mode === 'link' && abs !== root ? posix.dirname(abs) : abs));
    const out = await this.shell.run(['realpath', '-m', '-z', '--', root, ...probes]);
    if (out.exit.exitCode !== 0)
      throw commandError(out, `Cannot resolve '${requests.map((r) => r.path).join("', '")}'`);
    const [realRoot, ...reals] = out.stdout.toString('utf8').split('\0');
    if (!realRoot || reals.length < probes.length) {
      throw new InvalidArgumentError('Could not resolve the path inside the sandbox', {
        stdout: out.stdout.toString('utf8'),
      });
    }
    return lexical.map((abs, i) => {
      const probe = reals[i]!;
      const isRoot = abs === root;
      const real = requests[i]!.mode === 'link' && !isRoot ? posix.join(probe, posix.basename(abs)) : probe;
      if (!isWithin(realRoot, real)) {
        throw new ForbiddenError(
          `Path '${requests[i]!.path}' leads through a symlink to '${real}', outside the workspace '${root}'`,
          { path: requests[i]!.path, resolved: real, workspace: root },
        );
      }
      return { path: abs, real, isRoot: isRoot || real === realRoot };
    });
  }

  /** Maps a path found under `base.real` (e.g. by find or grep) back into the caller's namespace. */
  static toCallerPath(base: ResolvedPath, realChild: string): string {
    if (realChild === base.real) return base.path;
    if (realChild.startsWith(`${base.real}/`)) return posix.join(base.path, realChild.slice(base.real.length + 1));
    return realChild;
  }
}
