import type Docker from 'dockerode';

export interface EngineRuntime {
  /** The engine's default OCI runtime (`runc`, `runsc`, `crun`, ...). */
  name: string;
  /** Whether that runtime is runc. */
  isRunc: boolean;
  /** runc's version as the engine reports it, with the package build where given ("1.1.5+ds1-1+deb12u1"). */
  runcVersion?: string;
}

interface EngineInfo {
  DefaultRuntime?: string;
  Runtimes?: Record<string, { path?: string }>;
  RuncCommit?: { ID?: string };
}

/** What runs the containers: `docker version` components, with `docker info` as the fallback. */
export async function probeEngineRuntime(
  docker: Pick<Docker, 'version' | 'info'>,
  call: <T>(work: Promise<T>, what: string) => Promise<T>,
): Promise<EngineRuntime> {
  const [version, info] = await Promise.all([
    call(docker.version(), 'version'),
    call(docker.info() as Promise<EngineInfo>, 'info'),
  ]);
  const name = info.DefaultRuntime ?? 'runc';
  const path = info.Runtimes?.[name]?.path ?? name;
  const isRunc = /(^|\/)runc$/.test(path) || /runc/.test(name);
  const component = version.Components?.find((c) => c.Name === 'runc');
  const commit = component?.Details?.GitCommit ?? '';
  const fromComponent = component?.Version
    ? commit.startsWith(component.Version)
      ? commit
      : component.Version
    : undefined;
  const fromInfo = info.RuncCommit?.ID && /^v?\d/.test(info.RuncCommit.ID) ? info.RuncCommit.ID : undefined;
  const runcVersion = fromComponent ?? fromInfo;
  return { name, isRunc, ...(runcVersion ? { runcVersion } : {}) };
}
