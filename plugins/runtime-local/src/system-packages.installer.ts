import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { HOST_TOOL_ENV } from './host-tool.env.js';

const APT_GET = '/usr/bin/apt-get';

/** The one command that installs `packages` on this host (for messages). */
export function installHint(packages: readonly string[]): string {
  const list = packages.join(' ');
  if (existsSync('/etc/debian_version')) return `apt-get install ${list}`;
  if (existsSync('/etc/fedora-release') || existsSync('/etc/redhat-release')) return `dnf install ${list}`;
  if (existsSync('/etc/alpine-release')) return `apk add ${list}`;
  return `install ${list} with your package manager`;
}

/** Debian or Ubuntu, as root, with apt-get: the host where the gateway installs what it needs itself. */
export function canInstallPackages(): boolean {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version') && existsSync(APT_GET);
}

function apt(args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(
      APT_GET,
      ['-o', 'DPkg::Lock::Timeout=300', ...args],
      { env: { ...HOST_TOOL_ENV, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ ok: !err, output: `${String(stdout)}${String(stderr)}`.trim() }),
    );
  });
}

/**
 * Installs Debian packages with apt-get (refreshing the package lists first, as a fresh machine has
 * none). Package names are fixed by the runtime, never taken from a request.
 */
export async function installPackages(packages: readonly string[]): Promise<void> {
  const update = await apt(['update', '-qq']);
  const install = await apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
  if (!install.ok) {
    throw new Error(`apt-get install ${packages.join(' ')} failed: ${(install.output || update.output).slice(-1000)}`);
  }
}
