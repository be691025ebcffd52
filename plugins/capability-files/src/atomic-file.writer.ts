import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  collectOutput,
  InvalidArgumentError,
  LimitExceededError,
  SandboxedError,
  TimeoutError,
} from '@sandboxed/plugin-sdk';
import type { ExecSession } from '@sandboxed/plugin-sdk';
import { commandError } from './command-error.mapper.js';
import type { ResolvedPath } from './sandbox-path.resolver.js';
import type { SandboxShell } from './sandbox-shell.js';

// Stage: stdin into a fresh temp sibling ($2) of the target ($1).
const STAGE_SCRIPT = `
[ -d "$1" ] && { echo "Is a directory" >&2; exit 1; }
mkdir -p -- "$(dirname -- "$1")" || exit 1
set -C
exec cat > "$2"
`;

// Commit: only when the staged size is what the gateway sent, so a cut-off stream never lands.
const COMMIT_SCRIPT = `
tmp=$1; target=$2; want=$3; mode=$4
fail() { rm -f -- "$tmp"; exit 1; }
have=$(stat -c %s -- "$tmp") || fail
[ "$have" = "$want" ] || { echo "Staged $have bytes but sent $want" >&2; fail; }
if [ -n "$mode" ]; then chmod -- "$mode" "$tmp" || fail
elif [ -e "$target" ]; then chmod --reference="$target" -- "$tmp" || fail
fi
[ -d "$target" ] && { echo "Is a directory" >&2; fail; }
mv -f -T -- "$tmp" "$target" || fail
`;

export interface AtomicWriteOptions {
  maxBytes: number;
  /** Octal mode for chmod; without it an existing file keeps its mode. */
  mode?: string;
}

/**
 * Writes a file atomically inside the sandbox: stream into a temp sibling, then `mv -f -T`
 * (rename). Readers see the old file or the new one, never a half-written one.
 */
export class AtomicFileWriter {
  constructor(private readonly shell: SandboxShell) {}

  async write(target: ResolvedPath, content: Buffer | Readable, opts: AtomicWriteOptions): Promise<number> {
    const subject = `Cannot write '${target.path}'`;
    const tmp = posix.join(posix.dirname(target.real), `.sandboxed-${randomBytes(8).toString('hex')}.tmp`);
    try {
      const size = Buffer.isBuffer(content)
        ? await this.stageBuffer(target, tmp, content, subject)
        : await this.stageStream(target, tmp, content, opts.maxBytes, subject);
      await this.shell.checkedScript(COMMIT_SCRIPT, [tmp, target.real, String(size), opts.mode ?? ''], subject, {
        builtin: 'commit',
      });
      return size;
    } catch (err) {
      await this.shell
        .run(['rm', '-f', '--', tmp], { builtin: { name: 'remove', args: [tmp] }, outlivesCaller: true })
        .catch(() => undefined);
      throw err;
    }
  }

  private async stageBuffer(target: ResolvedPath, tmp: string, content: Buffer, subject: string): Promise<number> {
    await this.shell.checkedScript(STAGE_SCRIPT, [target.real, tmp], subject, { stdin: content, builtin: 'stage' });
    return content.length;
  }

  private async stageStream(
    target: ResolvedPath,
    tmp: string,
    body: Readable,
    maxBytes: number,
    subject: string,
  ): Promise<number> {
    // The body arrives at the caller's pace: bounded by the longest exec, not the files timeout.
    const session = await this.shell.spawn(['sh', '-c', STAGE_SCRIPT, 'sh', target.real, tmp], {
      timeoutMs: this.shell.limits.exec.maxTimeoutMs,
      builtin: { name: 'stage', args: [target.real, tmp] },
    });
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > maxBytes)
          done(new LimitExceededError(`Upload exceeds the limit of ${maxBytes} bytes`, { limit: maxBytes }));
        else done(null, chunk);
      },
    });
    let killed = false;
    const piped = pipeline(body, counter, session.stdin).then(
      () => undefined,
      (err: unknown) => {
        killed = true;
        void session.kill().catch(() => undefined);
        return err;
      },
    );
    const out = await collectOutput(withoutStdin(session), {
      maxOutputBytes: 64 * 1024,
      signal: this.shell.ctx.signal,
    });
    // The process is gone; make sure a body still in flight cannot keep the pipeline open.
    if (out.exit.exitCode !== 0) counter.destroy();
    const pipeError = await piped;
    if (pipeError instanceof SandboxedError) throw pipeError;
    if (out.exit.timedOut) throw new TimeoutError(`${subject}: the upload timed out`);
    // A stage that failed on its own says why on stderr. One we killed because the body broke off
    // was our doing, whatever a shell printed about the kill ("Killed").
    const ourKill = killed && (out.exit.signal !== null || (out.exit.exitCode ?? 0) > 128);
    if (out.exit.exitCode !== 0 && out.stderr.length > 0 && !ourKill) throw commandError(out, subject);
    if (pipeError) throw new InvalidArgumentError(`${subject}: the request body was cut off`);
    if (out.exit.exitCode !== 0) throw commandError(out, subject);
    return bytes;
  }
}

/** The session as collectOutput sees it, with stdin owned by our pipeline instead. */
function withoutStdin(session: ExecSession): ExecSession {
  return {
    stdout: session.stdout,
    stderr: session.stderr,
    stdin: new Writable({ write: (_chunk, _encoding, done) => done() }),
    resize: (cols, rows) => session.resize(cols, rows),
    kill: (signal) => session.kill(signal),
    wait: () => session.wait(),
  };
}
