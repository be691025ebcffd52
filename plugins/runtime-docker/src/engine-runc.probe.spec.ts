import { describe, expect, it } from '@jest/globals';
import type Docker from 'dockerode';
import { probeEngineRuntime } from './engine-runc.probe.js';

const direct = <T>(work: Promise<T>): Promise<T> => work;

function engine(runc: { Version: string; GitCommit: string } | undefined, info: Record<string, unknown>) {
  const components = runc ? [{ Name: 'runc', Version: runc.Version, Details: { GitCommit: runc.GitCommit } }] : [];
  return {
    version: async () => ({ Components: [{ Name: 'Engine', Version: '20.10.24' }, ...components] }),
    info: async () => info,
  } as unknown as Pick<Docker, 'version' | 'info'>;
}

describe('engine runtime probe', () => {
  it('reads a distribution build of runc from docker version (Debian docker.io)', async () => {
    const probe = await probeEngineRuntime(
      engine(
        { Version: '1.1.5+ds1', GitCommit: '1.1.5+ds1-1+deb12u1' },
        { DefaultRuntime: 'runc', Runtimes: { runc: { path: 'runc' } }, RuncCommit: { ID: '1.1.5+ds1-1+deb12u1' } },
      ),
      direct,
    );
    expect(probe).toEqual({ name: 'runc', isRunc: true, runcVersion: '1.1.5+ds1-1+deb12u1' });
  });

  it('reads an upstream runc (Docker CE), whose commit is a git describe', async () => {
    const probe = await probeEngineRuntime(
      engine(
        { Version: '1.2.5', GitCommit: 'v1.2.5-0-g59923ef' },
        { DefaultRuntime: 'runc', RuncCommit: { ID: 'v1.2.5-0-g59923ef' } },
      ),
      direct,
    );
    expect(probe).toEqual({ name: 'runc', isRunc: true, runcVersion: '1.2.5' });
  });

  it('falls back to docker info, and tells another runtime apart', async () => {
    expect(await probeEngineRuntime(engine(undefined, { RuncCommit: { ID: 'v1.1.12-0-g51d5e94' } }), direct)).toEqual({
      name: 'runc',
      isRunc: true,
      runcVersion: 'v1.1.12-0-g51d5e94',
    });
    expect(
      await probeEngineRuntime(
        engine(undefined, { DefaultRuntime: 'runsc', Runtimes: { runsc: { path: '/usr/bin/runsc' } } }),
        direct,
      ),
    ).toEqual({ name: 'runsc', isRunc: false });
  });
});
