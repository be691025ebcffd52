import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnavailableError } from '@sandboxed/plugin-sdk';
import { HOST_TOOL_ENV } from './host-tool.env.js';
import { installHint } from './system-packages.installer.js';

/** The helper's C source, shipped with the package (next to src/ and dist/). */
export const HELPER_SOURCE = fileURLToPath(new URL('../native/sandbox-helper.c', import.meta.url));

const COMPILERS = ['/usr/bin/cc', '/usr/bin/gcc', '/usr/local/bin/cc', '/usr/local/bin/gcc'];

function run(file: string, args: string[]): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...HOST_TOOL_ENV }, timeout: 120_000 }, (err, _stdout, stderr) =>
      resolve({ ok: !err, stderr: String(stderr) }),
    );
  });
}

async function firstExecutable(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  return undefined;
}

/** A C compiler on this host, if any. */
export function findCompiler(): Promise<string | undefined> {
  return firstExecutable(COMPILERS);
}

async function binaryPath(cacheDir: string): Promise<string> {
  const hash = createHash('sha256')
    .update(await readFile(HELPER_SOURCE))
    .digest('hex')
    .slice(0, 16);
  return join(cacheDir, `sandbox-helper-${hash}`);
}

/** Whether this version of the helper is already built (then no compiler is needed). */
export async function isSandboxHelperBuilt(cacheDir: string): Promise<boolean> {
  return access(await binaryPath(cacheDir), constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Compiles the helper once per source version into `<cacheDir>/sandbox-helper-<hash>` (a
 * directory only the gateway's user can write) and returns its path. Statically linked when
 * the C library allows it, so not even the dynamic loader reads an environment.
 */
export async function ensureSandboxHelper(cacheDir: string): Promise<string> {
  const binary = await binaryPath(cacheDir);
  if (await isSandboxHelperBuilt(cacheDir)) return binary;
  const cc = await findCompiler();
  if (!cc) {
    throw new UnavailableError(
      `runtime-local: a C compiler is needed once, to build the sandbox helper (\`${installHint(['gcc', 'libc6-dev'])}\`)`,
      { source: HELPER_SOURCE },
    );
  }
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const tmp = `${binary}.${randomBytes(4).toString('hex')}.tmp`;
  const flags = ['-O2', '-Wall', '-o', tmp, HELPER_SOURCE];
  let built = await run(cc, ['-static', ...flags]);
  if (!built.ok) built = await run(cc, flags);
  if (!built.ok) {
    await rm(tmp, { force: true });
    throw new UnavailableError(`runtime-local: could not build the sandbox helper: ${built.stderr.slice(0, 1000)}`);
  }
  await chmod(tmp, 0o755);
  await rename(tmp, binary);
  return binary;
}
