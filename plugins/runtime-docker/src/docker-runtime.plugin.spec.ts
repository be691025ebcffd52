import { describe, expect, it } from '@jest/globals';
import { isPlugin, type RuntimeRegistry, type SandboxRuntime } from '@sandboxed/plugin-sdk';
import defaultExport, { plugin, DockerRuntime, DockerRuntimeOptionsDto, DockerRuntimeRegistrar } from './index.js';

describe('runtime-docker plugin', () => {
  it('is a runtime plugin with validated options, as default and named export', () => {
    expect(defaultExport).toBe(plugin);
    expect(isPlugin(plugin)).toBe(true);
    expect(plugin).toMatchObject({
      id: 'runtime-docker',
      kind: 'runtime',
      engine: '^1',
      options: DockerRuntimeOptionsDto,
    });
    const module = plugin.module({});
    expect(module.providers).toEqual(expect.arrayContaining([DockerRuntimeRegistrar]));
  });

  it('registers the runtime on init and reconciles at bootstrap without failing boot', async () => {
    const registered: SandboxRuntime[] = [];
    const registry = {
      register: (r: SandboxRuntime) => registered.push(r),
      get: () => undefined,
      names: () => [],
    } as RuntimeRegistry;
    const runtime = new DockerRuntime(
      {
        socketPath: '/nonexistent/docker.sock',
        templates: {},
        pidsLimit: 256,
        defaultNetwork: 'none',
        defaultMemoryMb: 512,
        defaultCpu: 1,
        apiTimeoutMs: 1000,
        diskLimit: 'auto',
        defaultDiskMb: 1024,
      },
      { log: () => undefined, warn: () => undefined },
    );
    const registrar = new DockerRuntimeRegistrar(registry, runtime);
    registrar.onModuleInit();
    expect(registered).toEqual([runtime]);
    expect(runtime.name).toBe('docker');
    await expect(registrar.onApplicationBootstrap()).resolves.toBeUndefined();
  });
});
