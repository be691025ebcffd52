import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './config.loader.js';

const configDir = resolve('config');
const withPools = (pools: unknown) => () => loadConfig({ configDir, env: {}, overrides: { sandbox: { pools } } });

describe('sandbox.pools', () => {
  it('is an empty list by default and takes template, size and maxAgeSeconds', () => {
    expect(loadConfig({ configDir, env: {} }).sandbox.pools).toEqual([]);
    expect(withPools([{ template: 'base', size: 4, maxAgeSeconds: 600 }])().sandbox.pools).toEqual([
      { template: 'base', size: 4, maxAgeSeconds: 600 },
    ]);
  });

  it('names the key of a bad size, age, missing template, unknown key or a second pool of one template', () => {
    expect(withPools([{ template: 'base', size: -1 }])).toThrow(
      /sandbox\.pools\.0\.size: value must not be less than 0/,
    );
    expect(withPools([{ template: 'base', size: 1, maxAgeSeconds: 0 }])).toThrow(/sandbox\.pools\.0\.maxAgeSeconds/);
    expect(withPools([{ size: 1 }])).toThrow(/sandbox\.pools\.0\.template/);
    expect(withPools([{ template: 'base', size: 1, env: {} }])).toThrow(/sandbox\.pools\.0\.env: unknown key/);
    expect(
      withPools([
        { template: 'base', size: 1 },
        { template: 'base', size: 2 },
      ]),
    ).toThrow(/sandbox\.pools\.1\.template: "base" already has a pool \(sandbox\.pools\.0\)/);
  });
});
