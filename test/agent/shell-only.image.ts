import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHELL_ONLY_IMAGE = 'sandboxed/sh-only:test';
/** The same plus /usr/bin/tini, which a kubernetes sandbox image must have (the pod's command). */
export const SHELL_ONLY_TINI_IMAGE = 'sandboxed/sh-only-tini:test';

/**
 * An image with /bin/sh (the host's dash and the libraries it links), `sleep` (the docker runtime's
 * keep-alive entry process) and an empty /tmp, nothing else: no tar, no cat, no Node or Python.
 * Built from a tarball with `docker import`, since nothing can be pulled here. With `tini`, it
 * also has /usr/bin/tini, copied from `tiniFrom` (an image that has it, built on the same Debian
 * as this host, whose libc the image carries).
 */
export function buildShellOnlyImage(opts: { tiniFrom?: string } = {}): string {
  const tag = opts.tiniFrom ? SHELL_ONLY_TINI_IMAGE : SHELL_ONLY_IMAGE;
  const root = mkdtempSync(join(tmpdir(), 'sbx-sh-only-'));
  try {
    const libs = execFileSync('ldd', ['/bin/dash', '/bin/sleep'], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
      .filter((path): path is string => path !== undefined);
    const sh = [
      'set -e',
      `cd ${root}`,
      'mkdir -p bin tmp workspace etc',
      'chmod 1777 tmp',
      'cp /bin/dash bin/sh',
      'cp /bin/sleep bin/sleep',
    ];
    for (const lib of new Set(libs)) sh.push(`mkdir -p .$(dirname ${lib})`, `cp -L ${lib} .${lib}`);
    if (opts.tiniFrom) {
      sh.push(
        'mkdir -p usr/bin',
        `id=$(docker create ${opts.tiniFrom} true)`,
        'docker cp -L "$id:/usr/bin/tini" usr/bin/tini; rc=$?; docker rm "$id" >/dev/null; [ $rc = 0 ]',
      );
    }
    sh.push(`tar -C ${root} -c . | docker import - ${tag} >/dev/null`);
    execFileSync('/bin/sh', ['-c', sh.join('\n')], { stdio: 'inherit' });
    return tag;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
