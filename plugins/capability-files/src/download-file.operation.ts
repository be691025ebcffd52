import { PassThrough } from 'node:stream';
import { BinaryBody, sandboxOperation } from '@sandboxed/plugin-sdk';
import type { ExecSession, Limits, SandboxOperationContext } from '@sandboxed/plugin-sdk';
import { DownloadFileInput } from './file-transfer.dto.js';
import { filesToolkit } from './files.toolkit.js';
import { REGULAR_FUNCTION } from './regular-file.script.js';

const SIZE_SCRIPT = `${REGULAR_FUNCTION}
[ -e "$1" ] || { echo "No such file or directory" >&2; exit 1; }
[ -d "$1" ] && { echo "Is a directory" >&2; exit 1; }
regular "$1" || exit 1
exec stat -c %s -- "$1"
`;

/**
 * Streams a session's stdout and ends cleanly only if the command succeeded with the expected
 * byte count; otherwise the stream errors, so a transport never presents a cut file as whole.
 */
function streamStdout(ctx: SandboxOperationContext, session: ExecSession, expected: number): PassThrough {
  const out = new PassThrough();
  let sent = 0;
  let finished = false;
  const kill = (): void => void session.kill().catch(() => undefined);
  session.stdin.on('error', () => undefined);
  session.stdin.end();
  session.stderr.resume();
  session.stdout.on('data', (chunk: Buffer) => (sent += chunk.length));
  session.stdout.pipe(out, { end: false });
  ctx.signal.addEventListener('abort', kill, { once: true });
  out.once('close', () => {
    ctx.signal.removeEventListener('abort', kill);
    if (!finished) kill();
  });
  session.wait().then(
    (exit) => {
      finished = true;
      if (exit.exitCode === 0 && sent === expected) out.end();
      else out.destroy(new Error(`Download stopped after ${sent} of ${expected} bytes (exit ${exit.exitCode})`));
    },
    (err: unknown) => {
      finished = true;
      out.destroy(err instanceof Error ? err : new Error(String(err)));
    },
  );
  return out;
}

export function downloadFileOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.download',
    summary: 'Download a file as raw bytes',
    description:
      'Streams a regular file out of the sandbox as application/octet-stream, without the JSON read limit. A missing path is 404, a directory 400. REST only.',
    input: DownloadFileInput,
    output: 'binary',
    hints: { readOnly: true, idempotent: true },
    http: { method: 'GET', path: 'files/content' },
    handler: async (ctx, input): Promise<BinaryBody> => {
      const { shell, paths } = filesToolkit(ctx, limits);
      const file = await paths.resolve(input.path);
      const sized = await shell.checkedScript(SIZE_SCRIPT, [file.real], `Cannot download '${file.path}'`, {
        builtin: 'size',
      });
      const size = Number(sized.stdout.toString('ascii').trim());
      // The body leaves at the caller's pace: bounded by the longest exec, not the files timeout.
      const session = await shell.spawn(['cat', '--', file.real], {
        timeoutMs: limits.exec.maxTimeoutMs,
        builtin: { name: 'cat', args: [file.real] },
      });
      return new BinaryBody(streamStdout(ctx, session, size), 'application/octet-stream', size);
    },
  });
}
