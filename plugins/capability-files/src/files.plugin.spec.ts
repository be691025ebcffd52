import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { isPlugin, KERNEL_LIMITS, OPERATION_REGISTRY } from '@sandboxed/plugin-sdk';
import type { OperationDefinition } from '@sandboxed/plugin-sdk';
import defaultExport, { plugin } from './index.js';

const registered: OperationDefinition[] = [];

@Global()
@Module({
  providers: [
    {
      provide: OPERATION_REGISTRY,
      useValue: {
        register: (op: OperationDefinition) => registered.push(op),
        get: () => undefined,
        list: () => registered,
      },
    },
    {
      provide: KERNEL_LIMITS,
      useValue: {
        exec: { timeoutMs: 1, maxTimeoutMs: 1, maxOutputBytes: 1 },
        files: { maxReadBytes: 1, maxWriteBytes: 1, maxListEntries: 1, timeoutMs: 1 },
      },
    },
  ],
  exports: [OPERATION_REGISTRY, KERNEL_LIMITS],
})
class FakeKernelModule {}

describe('capability-files plugin', () => {
  it('is a capability plugin, as default and named export', () => {
    expect(defaultExport).toBe(plugin);
    expect(isPlugin(plugin)).toBe(true);
    expect(plugin).toMatchObject({ id: 'capability-files', kind: 'capability', version: '0.1.0', engine: '^1' });
  });

  it('registers its operations into the kernel registry on init', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [FakeKernelModule, plugin.module({})] }).compile();
    await moduleRef.init();
    expect(registered.map((op) => op.id)).toContain('files.read');
    expect(registered).toHaveLength(13);
    const upload = registered.find((op) => op.id === 'files.upload')!;
    expect(upload.http).toEqual({ method: 'PUT', path: 'files/content', body: 'octets' });
    const download = registered.find((op) => op.id === 'files.download')!;
    expect(download.http).toEqual({ method: 'GET', path: 'files/content' });
    expect(!download.stream && download.output).toBe('binary');
    await moduleRef.close();
  });
});
