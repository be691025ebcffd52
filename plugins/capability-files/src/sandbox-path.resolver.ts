import { posix } from 'node:path';
import { ForbiddenError, InvalidArgumentError } from '@sandboxed/plugin-sdk';
import { commandError } from './command-error.mapper.js';
import { fileSystemBoundary, gatewayMountNamespace } from './sandbox-root.policy.js';
import type { SandboxShell } from './sandbox-shell.js';

/**
 * `follow`: the path's final component is followed if it is a symlink (read, write, list...).
 * `link`: the final component is acted on itself, never followed (delete, move, copy target),
 * so only its parent directory is resolved.
 */
export type PathMode = 'follow' | 'link';

export interface ResolvedPath {
  /** The caller's path, absolute and normalized: what outputs report. */
  path: string;
  /** The path to act on inside the sandbox, with symlinks resolved. */
  real: string;
  /**
   * True for the workspace root or the file system root itself: the operations never delete,
   * move or replace either.
   */
  isRoot: boolean;
}

export function isWithin(root: string, candidate: string): boolean {
  return root === '/' || candidate === root || candidate.startsWith(`${root}/`);
}

/**
 * Resolves a caller's path against the workdir without touching the sandbox: relative paths are
 * relative to the workdir, `..` stops at `/`. Refuses what lands outside `boundary` (the sandbox's
 * whole root unless it has none, see sandbox-root.policy.ts).
 */
export function resolveLexical(workdir: string, requested: string, boundary = '/'): string {
  if (typeof requested !== 'string' || requested.length === 0) throw new InvalidArgumentError('Path must not be empty');
  if (requested.includes('\0')) throw new InvalidArgumentError('Path must not contain NUL bytes');
  const absolute = posix.resolve(posix.resolve('/', workdir), requested);
  if (!isWithin(boundary, absolute)) throw outside(requested, absolute, boundary);
  return absolute;
}

function outside(requested: string, resolved: string, workspace: string): ForbiddenError {
  return new ForbiddenError(
    `Path '${requested}' resolves to '${resolved}', outside the workspace '${workspace}': this sandbox has no ` +
      "file system of its own (its commands run in the gateway's mount namespace), so files operations stay in " +
      'its workspace',
    { path: requested, resolved, workspace },
  );
}

// The mount namespace the files commands run in (first line), then each path resolved, NUL-ended.
const RESOLVE_SCRIPT = `
readlink /proc/self/ns/mnt 2>/dev/null || echo
exec realpath -m -z -- "$@"
`;

/**
 * Resolves paths inside the sandbox with `realpath -m`, in the sandbox's own mount namespace.
 *
 * Why the files operations may reach the sandbox's whole root, not only /workspace (issue 9,
 * item 7). Every files command runs through `runtime.exec`, exactly as the sandbox's own commands
 * do: same user, same namespaces, same root. So a path, whatever its `..` or symlinks, can only
 * ever name what the sandbox itself can name, and the kernel resolves it there:
 *  - runtime-local: the sandbox helper joins the holder's mount namespace and chroots into its
 *    root before it runs anything; that root is bubblewrap's: a read-only skeleton, read-only host
 *    `/usr` (reading it through files.read is what `exec cat /usr/...` already does), a few
 *    allowlisted read-only `/etc` files, a private `/tmp` tmpfs, its own `/proc` and `/dev`, and the
 *    sandbox's `/workspace`. No other host path exists in there: not the data dir, not other
 *    sandboxes, not the host's `/tmp`, `/etc` or `/root`. A symlink to `/etc/shadow` resolves to the
 *    sandbox's (absent) `/etc/shadow`; `/proc/self/root` is the sandbox's `/`. The seccomp filter
 *    refuses `mount`, `chroot`, `setns` and `unshare`, so no command can change that view.
 *  - runtime-docker: commands are `docker exec`s as uid 1000 with no capabilities; the container's
 *    file system is its image plus what the gateway's fixed container spec mounts (no binds of the
 *    caller's choosing): that container's own /etc/hosts, /etc/resolv.conf and /etc/hostname, which
 *    root owns, and a read-only docker-init.
 * The old check (realpath inside /workspace) therefore never protected the host: that is the mount
 * namespace's job, and a path racing between check and use still resolved inside the sandbox.
 * What may never happen, resolving to a host file, stays impossible because the resolution and the
 * action both happen in the sandbox. Read-only mounts refuse writes with EROFS (a 403 that says
 * "Read-only file system"), root-owned places with EACCES (403 "Permission denied"). The files
 * operations thus grant nothing exec does not; the one difference is that read-only ones need only
 * `sandbox:read`, so such a token reads (never changes) the whole sandbox, /tmp and /proc included.
 *
 * A sandbox without a mount namespace of its own (runtime-local `isolation: none`) has the host as
 * its root: there the old rule stays, and every path must resolve inside the workspace.
 */
export class SandboxPathResolver {
  constructor(private readonly shell: SandboxShell) {}

  async resolve(requested: string, mode: PathMode = 'follow'): Promise<ResolvedPath> {
    const [resolved] = await this.resolveAll([{ path: requested, mode }]);
    return resolved!;
  }

  /** Resolves several paths with one exec. */
  async resolveAll(requests: ReadonlyArray<{ path: string; mode?: PathMode }>): Promise<ResolvedPath[]> {
    const workdir = posix.resolve('/', this.shell.workdir);
    const lexical = requests.map((r) => resolveLexical(workdir, r.path));
    const isRootPath = (abs: string): boolean => abs === '/' || abs === workdir;
    const probes = lexical.map((abs, i) =>
      requests[i]!.mode === 'link' && !isRootPath(abs) ? posix.dirname(abs) : abs,
    );
    const out = await this.shell.script(RESOLVE_SCRIPT, [workdir, ...probes], { builtin: 'resolve' });
    if (out.exit.exitCode !== 0)
      throw commandError(out, `Cannot resolve '${requests.map((r) => r.path).join("', '")}'`);
    const text = out.stdout.toString('utf8');
    const newline = text.indexOf('\n');
    const [realWorkdir, ...reals] = text.slice(newline + 1).split('\0');
    if (newline < 0 || !realWorkdir || reals.length < probes.length) {
      throw new InvalidArgumentError('Could not resolve the path inside the sandbox', { stdout: text.slice(0, 2000) });
    }
    const boundary = fileSystemBoundary(workdir, text.slice(0, newline), gatewayMountNamespace());
    const realBoundary = boundary.confined ? realWorkdir : '/';
    return lexical.map((abs, i) => {
      const requested = requests[i]!.path;
      if (!isWithin(boundary.root, abs)) throw outside(requested, abs, boundary.root);
      const probe = reals[i]!;
      const real = requests[i]!.mode === 'link' && !isRootPath(abs) ? posix.join(probe, posix.basename(abs)) : probe;
      if (!isWithin(realBoundary, real)) {
        throw new ForbiddenError(
          `Path '${requested}' leads through a symlink to '${real}', outside the workspace '${workdir}': this ` +
            "sandbox has no file system of its own (its commands run in the gateway's mount namespace), so files " +
            'operations stay in its workspace',
          { path: requested, resolved: real, workspace: workdir },
        );
      }
      return { path: abs, real, isRoot: isRootPath(abs) || real === realWorkdir || real === '/' };
    });
  }

  /** Maps a path found under `base.real` (e.g. by find or grep) back into the caller's namespace. */
  static toCallerPath(base: ResolvedPath, realChild: string): string {
    if (realChild === base.real) return base.path;
    if (base.real === '/' && realChild.startsWith('/')) return posix.join(base.path, realChild.slice(1));
    if (realChild.startsWith(`${base.real}/`)) return posix.join(base.path, realChild.slice(base.real.length + 1));
    return realChild;
  }
}
