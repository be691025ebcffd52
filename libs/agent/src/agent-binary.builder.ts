import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The agent's C sources, shipped with the package (the header sits next to them). */
export const AGENT_SOURCES = ['sandbox-agent.c', 'agent-builtins.c', 'agent-builtins.h'].map((name) =>
  fileURLToPath(new URL(`../native/${name}`, import.meta.url)),
);
/** A binary built ahead of time next to the source (the gateway image does, so it needs no compiler). */
export const AGENT_PREBUILT = fileURLToPath(new URL('../native/sandbox-agent', import.meta.url));

const COMPILERS = ['/usr/bin/cc', '/usr/bin/gcc', '/usr/local/bin/cc', '/usr/local/bin/gcc'];
const TOOL_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' };

export interface AgentBinary {
  path: string;
  /** Hash of the binary: its file name inside sandboxes, so two versions never collide. */
  hash: string;
  bytes: Buffer;
}

function compile(cc: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cc, args, { env: TOOL_ENV, timeout: 120_000 }, (err, _out, stderr) =>
      resolve(err ? String(stderr) || err.message : undefined),
    );
  });
}

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Builds the agent once per source version into `<cacheDir>/sandbox-agent-<hash>`, statically
 * linked so it runs in any Linux image (no libc, loader or shell of the image is used). Throws
 * when no C compiler with a static libc is here; the caller then falls back to per-call exec.
 */
export async function ensureAgentBinary(cacheDir: string): Promise<AgentBinary> {
  if (await executable(AGENT_PREBUILT)) return binaryAt(AGENT_PREBUILT);
  const hash = await agentSourceHash();
  const path = join(cacheDir, `sandbox-agent-${hash}`);
  if (!(await executable(path))) {
    let cc: string | undefined;
    for (const candidate of COMPILERS) if (!cc && (await executable(candidate))) cc = candidate;
    if (!cc) throw new Error('no C compiler (install gcc and libc6-dev) to build the sandbox agent');
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    const args = ['-static', '-O2', '-s', '-o', tmp, ...AGENT_SOURCES.filter((source) => source.endsWith('.c'))];
    // With PCRE2 (libpcre2-dev) the agent greps natively, as `grep -P` does; without, grep runs the script.
    const failed = (await compile(cc, ['-DAGENT_PCRE2', ...args, '-lpcre2-8'])) && (await compile(cc, args));
    if (failed) {
      await rm(tmp, { force: true });
      throw new Error(`could not build the sandbox agent statically: ${failed.slice(0, 500)}`);
    }
    await chmod(tmp, 0o755);
    await rename(tmp, path);
  }
  return binaryAt(path);
}

/**
 * Hash of the agent's source (16 hex digits of its sha256): the tag of the agent image
 * (`sandboxed/agent:<hash>`, scripts/build-images.sh), so two versions never share one.
 */
export async function agentSourceHash(): Promise<string> {
  return sha(Buffer.concat(await Promise.all(AGENT_SOURCES.map((source) => readFile(source)))));
}

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

async function binaryAt(path: string): Promise<AgentBinary> {
  const bytes = await readFile(path);
  return { path, hash: sha(bytes), bytes };
}
