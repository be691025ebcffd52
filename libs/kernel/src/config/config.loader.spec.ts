import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it, expect } from '@jest/globals';
import { loadConfig } from './config.loader.js';
import { ConfigError } from './config.error.js';

const repoConfig = resolve('config');

function dirWithProfile(name: string, yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sandboxed-config-'));
  copyFileSync(join(repoConfig, 'default.yaml'), join(dir, 'default.yaml'));
  writeFileSync(join(dir, `${name}.yaml`), yaml);
  return dir;
}

describe('loadConfig', () => {
  it('loads the shipped defaults', () => {
    const c = loadConfig({ configDir: repoConfig, env: {} });
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(c.runtime.default).toBe('local');
    expect(c.plugins.map((p) => p.use)).toEqual(
      expect.arrayContaining(['runtime-local', 'capability-shell', 'capability-files', 'transport-rest']),
    );
    expect(c.limits.exec.maxOutputBytes).toBe(1048576);
  });

  it('applies default < profile < env < CLI flags', () => {
    const dir = dirWithProfile(
      'staging',
      'server:\n  port: 9001\n  host: 0.0.0.0\nsandbox:\n  defaultTtlSeconds: 60\n',
    );
    const c = loadConfig({
      configDir: dir,
      env: {
        SANDBOXED_PROFILE: 'staging',
        SANDBOXED_SERVER__PORT: '9002',
        SANDBOXED_SANDBOX__DEFAULT_TTL_SECONDS: '120',
      },
      argv: ['--server.port=9003'],
    });
    expect(c.server.host).toBe('0.0.0.0');
    expect(c.server.port).toBe(9003);
    expect(c.sandbox.defaultTtlSeconds).toBe(120);
  });

  it('maps nested env names and keeps secrets as strings', () => {
    const c = loadConfig({
      configDir: repoConfig,
      env: { SANDBOXED_AUTH__JWT__SECRET: '12345678901234567890123456789012', SANDBOXED_AUTH__JWT__ISSUER: 'me' },
    });
    expect(c.auth.jwt.secret).toBe('12345678901234567890123456789012');
    expect(c.auth.jwt.issuer).toBe('me');
  });

  it('accepts flags as separate words and a --profile flag', () => {
    const dir = dirWithProfile('p1', 'server:\n  port: 7000\n');
    const c = loadConfig({ configDir: dir, env: {}, argv: ['--profile', 'p1', '--log.level', 'debug'] });
    expect(c.server.port).toBe(7000);
    expect(c.log.level).toBe('debug');
  });

  it('leaves the client variables and other single-word SANDBOXED_ names alone (issue 9, item 2)', () => {
    const c = loadConfig({
      configDir: repoConfig,
      env: {
        SANDBOXED_URL: 'http://127.0.0.1:8080',
        SANDBOXED_TOKEN: 'sk_client',
        SANDBOXED_API_KEY: 'another-client',
        SANDBOXED_SERVER__PORT: '9004',
        SANDBOXED_PLUGINS: '[runtime-local, capability-shell, transport-rest]',
      },
    });
    expect(c.server.port).toBe(9004);
    expect(c.plugins.map((p) => p.use)).toEqual(['runtime-local', 'capability-shell', 'transport-rest']);
    expect(c).not.toHaveProperty('url');
    expect(c).not.toHaveProperty('token');
    // A nested name under no known key still looks like config: a typo, named.
    expect(() => loadConfig({ configDir: repoConfig, env: { SANDBOXED_SERVR__PORT: '1' } })).toThrow(
      /servr: unknown key/,
    );
  });

  it('stops on an unknown key and names its path', () => {
    expect(() => loadConfig({ configDir: repoConfig, env: { SANDBOXED_SERVER__PROT: '1' } })).toThrow(
      /server\.prot: unknown key/,
    );
    expect(() => loadConfig({ configDir: repoConfig, env: {}, overrides: { limits: { exec: { bogus: 1 } } } })).toThrow(
      /limits\.exec\.bogus: unknown key/,
    );
  });

  it('stops on an ill-typed key and names its path', () => {
    expect(() => loadConfig({ configDir: repoConfig, env: { SANDBOXED_SERVER__PORT: 'eighty' } })).toThrow(
      /server\.port/,
    );
    expect(() => loadConfig({ configDir: repoConfig, env: {}, argv: ['--limits.exec.timeoutMs=-5'] })).toThrow(
      /limits\.exec\.timeoutMs/,
    );
    expect(() => loadConfig({ configDir: repoConfig, env: {}, overrides: { auth: { apiKeys: { k: 5 } } } })).toThrow(
      /auth\.apiKeys\.k/,
    );
  });

  it('checks the OAuth discovery URLs: publicUrl an origin, authorizationServers absolute', () => {
    const load = (overrides: Record<string, unknown>) => () =>
      loadConfig({ configDir: repoConfig, env: {}, overrides });
    expect(load({ server: { publicUrl: 'https://gw.example.com/api' } })).toThrow(
      /server\.publicUrl: must be an origin/,
    );
    expect(load({ server: { publicUrl: 'gw.example.com' } })).toThrow(/server\.publicUrl: .* is not an absolute URL/);
    expect(load({ auth: { jwt: { authorizationServers: ['ftp://as.example'] } } })).toThrow(
      /auth\.jwt\.authorizationServers\.0: must be an http\(s\) URL/,
    );
    expect(load({ server: { publicUrl: 'https://gw.example.com' } })().server.publicUrl).toBe('https://gw.example.com');
  });

  it('fails clearly on a missing profile', () => {
    expect(() => loadConfig({ configDir: repoConfig, env: { SANDBOXED_PROFILE: 'nope' } })).toThrow(ConfigError);
    expect(() => loadConfig({ configDir: repoConfig, env: { SANDBOXED_PROFILE: 'nope' } })).toThrow(
      /Profile "nope" not found/,
    );
  });

  it('refuses stray CLI arguments', () => {
    expect(() => loadConfig({ configDir: repoConfig, env: {}, argv: ['serve'] })).toThrow(
      /Unexpected argument "serve"/,
    );
  });
});
