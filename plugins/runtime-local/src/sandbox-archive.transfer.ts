import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { posix } from 'node:path';
import { InvalidArgumentError, NotFoundError, SandboxedError, collectOutput } from '@sandboxed/plugin-sdk';
import type { ExecRequest, ExecSession } from '@sandboxed/plugin-sdk';

/** Runs a command inside the sandbox (same namespaces, no capabilities). */
export type SandboxExec = (req: ExecRequest) => Promise<ExecSession>;

const MAX_STDERR = 64 * 1024;

function collectText(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      if (text.length < MAX_STDERR) text += chunk.toString('utf8');
    });
    stream.on('end', () => resolve(text.trim()));
    stream.on('error', () => resolve(text.trim()));
  });
}

function checkPath(path: string, what: string): void {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new InvalidArgumentError(`Invalid ${what}`);
  }
}

/**
 * Extracts `tar` into `dir` by running `tar -x` INSIDE the sandbox, so symlinks in the
 * workspace resolve in the sandbox's mount namespace and can never reach host paths.
 */
export async function putArchive(exec: SandboxExec, workdir: string, dir: string, tar: Readable): Promise<void> {
  checkPath(dir, 'directory');
  const target = posix.resolve(workdir, dir);
  const session = await exec({
    argv: ['/bin/sh', '-c', 'mkdir -p -- "$1" && exec tar -x -f - --no-same-owner -C "$1"', 'sh', target],
  });
  const stderr = collectText(session.stderr);
  session.stdout.resume();
  const fed = pipeline(tar, session.stdin).then(
    () => undefined,
    (err: unknown) => err,
  );
  const exit = await session.wait();
  const feedError = await fed;
  if (exit.exitCode !== 0) {
    throw new InvalidArgumentError(
      `tar failed to extract into ${target}: ${(await stderr) || `exit ${exit.exitCode ?? exit.signal}`}`,
    );
  }
  if (feedError instanceof Error) throw feedError;
}

/** A tar stream of `path`, made by `tar -c` INSIDE the sandbox. Missing path: NotFoundError. */
export async function getArchive(exec: SandboxExec, workdir: string, path: string): Promise<Readable> {
  checkPath(path, 'path');
  const target = posix.resolve(workdir, path);
  const probe = await collectOutput(
    await exec({ argv: ['/bin/sh', '-c', '[ -e "$1" ] || [ -L "$1" ]', 'sh', target] }),
    {
      maxOutputBytes: 4096,
    },
  );
  if (probe.exit.exitCode !== 0) throw new NotFoundError(`No such file or directory in the sandbox: ${target}`);

  const parent = posix.dirname(target);
  const name = target === '/' ? '.' : posix.basename(target);
  const session = await exec({ argv: ['tar', '-c', '-f', '-', '-C', parent, '--', name] });
  session.stdin.end();
  const stderr = collectText(session.stderr);
  const out = new PassThrough();
  session.stdout.pipe(out, { end: false });
  let finished = false;
  out.once('close', () => {
    if (!finished) void session.kill().catch(() => undefined);
  });
  void session.wait().then(async (exit) => {
    finished = true;
    if (exit.exitCode === 0) out.end();
    else {
      const msg = (await stderr) || `exit ${exit.exitCode ?? exit.signal}`;
      out.destroy(new SandboxedError('internal', 500, `tar failed to read ${target}: ${msg}`));
    }
  });
  return out;
}
