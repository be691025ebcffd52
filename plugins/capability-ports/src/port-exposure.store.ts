import { posix } from 'node:path';
import { collectOutput, decodeUtf8, UnavailableError, type SandboxOperationContext } from '@sandboxed/plugin-sdk';

/**
 * Which ports are exposed is kept inside the sandbox, one empty file per port under a hidden
 * folder (in /tmp, or the workdir when /tmp is not writable), so every gateway replica, and
 * one restarted, agrees, and the state dies with the sandbox. Code in the sandbox could add a
 * file too; that only makes its own port reachable to its owner, who can run code there anyway.
 */
const SCRIPT = String.raw`p=/tmp/.sandboxed/ports; f=$1/.sandboxed/ports
if [ -d "$p" ]; then d=$p; elif [ -d "$f" ]; then d=$f; elif mkdir -p "$p" 2>/dev/null; then d=$p; else d=$f; fi
case $2 in
  add) mkdir -p "$d" && : >"$d/$3" ;;
  remove) [ -e "$d/$3" ] || exit 3; rm -f "$d/$3" ;;
  has) [ -e "$d/$3" ] || exit 3 ;;
  list) [ -d "$d" ] && ls "$d" ; exit 0 ;;
esac`;

const NOT_EXPOSED = 3;

export class PortExposureStore {
  constructor(private readonly ctx: SandboxOperationContext) {}

  async add(port: number): Promise<void> {
    await this.run('add', port);
  }

  /** False when the port was not exposed. */
  async remove(port: number): Promise<boolean> {
    return (await this.run('remove', port)) === 0;
  }

  async has(port: number): Promise<boolean> {
    return (await this.run('has', port)) === 0;
  }

  async list(): Promise<number[]> {
    const { stdout } = await this.exec(['list']);
    return decodeUtf8(stdout)
      .split('\n')
      .filter((name) => /^\d{1,5}$/.test(name))
      .map(Number)
      .filter((n) => n >= 1 && n <= 65535)
      .sort((a, b) => a - b);
  }

  private async run(action: string, port: number): Promise<number> {
    const { code } = await this.exec([action, String(port)]);
    return code;
  }

  private async exec(args: string[]): Promise<{ code: number; stdout: Buffer }> {
    const session = await this.ctx.runtime.exec(this.ctx.sandbox.id, {
      argv: ['/bin/sh', '-c', SCRIPT, 'sandboxed-ports', posix.normalize(this.ctx.sandbox.workdir), ...args],
      env: { LC_ALL: 'C' },
      timeoutMs: 15_000,
    });
    const out = await collectOutput(session, { maxOutputBytes: 1024 * 1024, signal: this.ctx.signal });
    const code = out.exit.exitCode ?? -1;
    if (code !== 0 && code !== NOT_EXPOSED) {
      throw new UnavailableError(
        `Could not read the exposed ports of the sandbox (exit ${code}): ${decodeUtf8(out.stderr).slice(0, 300)}`,
      );
    }
    return { code, stdout: out.stdout };
  }
}
