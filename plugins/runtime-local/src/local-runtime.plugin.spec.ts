import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { isPlugin, RUNTIME_REGISTRY, type SandboxRuntime } from '@sandboxed/plugin-sdk';
import defaultExport, {
  LocalRuntime,
  LocalRuntimeOptionsDto,
  defaultLocalDataDir,
  plugin,
  resolveLocalRuntimeOptions,
} from './index.js';

const registered: SandboxRuntime[] = [];

@Global()
@Module({
  providers: [
    {
      provide: RUNTIME_REGISTRY,
      useValue: {
        register: (r: SandboxRuntime) => registered.push(r),
        get: (name: string) => registered.find((r) => r.name === name),
        names: () => registered.map((r) => r.name),
      },
    },
  ],
  exports: [RUNTIME_REGISTRY],
})
class FakeKernelModule {}

describe('runtime-local plugin', () => {
  let dataDir: string | undefined;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('is a runtime plugin, as default and named export', () => {
    expect(isPlugin(defaultExport)).toBe(true);
    expect(defaultExport).toBe(plugin);
    expect(plugin).toMatchObject({ id: 'runtime-local', kind: 'runtime', version: '0.1.0', engine: '^1' });
    expect(plugin.options).toBe(LocalRuntimeOptionsDto);
  });

  it('registers a LocalRuntime named "local" with the runtime registry on init', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sbx-local-plugin-'));
    const moduleRef = await Test.createTestingModule({
      imports: [FakeKernelModule, plugin.module({ dataDir })],
    }).compile();
    await moduleRef.init();
    expect(registered).toHaveLength(1);
    expect(registered[0]).toBeInstanceOf(LocalRuntime);
    expect(registered[0]!.name).toBe('local');
    await moduleRef.close();
  });

  it('validates options and fills defaults', () => {
    const bad = validateSync(plainToInstance(LocalRuntimeOptionsDto, { isolation: 'docker', network: 'bridge' }));
    expect(bad.map((e) => e.property).sort()).toEqual(['isolation', 'network']);
    expect(validateSync(plainToInstance(LocalRuntimeOptionsDto, {}))).toEqual([]);
    expect(resolveLocalRuntimeOptions({})).toEqual({
      dataDir: defaultLocalDataDir(),
      isolation: 'bwrap',
      network: 'none',
    });
    expect(defaultLocalDataDir()).toMatch(/sandboxed\/local$/);
  });
});
