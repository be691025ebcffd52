import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { buildContainerSpec } from './container-spec.builder.js';
import { BROWSER_PIDS_LIMIT } from './default-templates.js';
import { sandboxSpec } from './docker-engine.spec-helper.js';
import { DockerRuntimeOptionsDto, resolveDockerRuntimeOptions } from './docker-runtime-options.dto.js';

/** What the kernel's plugin loader does with `options`. */
function validate(raw: Record<string, unknown>): string[] {
  const dto = plainToInstance(DockerRuntimeOptionsDto, raw, { enableImplicitConversion: true });
  return validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }).flatMap((e) =>
    Object.values(e.constraints ?? {}),
  );
}

describe('DockerRuntimeOptionsDto', () => {
  it('defaults to hardened settings and the standard templates', () => {
    expect(validate({})).toEqual([]);
    const o = resolveDockerRuntimeOptions({});
    expect(o).toMatchObject({ pidsLimit: 256, defaultNetwork: 'none', defaultMemoryMb: 512, defaultCpu: 1 });
    expect(Object.keys(o.templates)).toEqual([
      'base',
      'python',
      'node',
      'browser',
      'go',
      'java',
      'rust',
      'ruby',
      'php',
    ]);
    expect(o.templates.python).toEqual({
      image: 'sandboxed/python:local',
      network: 'none',
      language: 'python',
      env: {},
    });
  });

  it('merges configured templates over the defaults', () => {
    const raw = {
      defaultNetwork: 'bridge',
      allowUnrestrictedBridge: true,
      templates: { web: { image: 'acme/web:1', network: 'none', pidsLimit: 64, env: { A: 'b' } } },
    };
    expect(validate(raw)).toEqual([]);
    const o = resolveDockerRuntimeOptions(raw as never);
    expect(o.templates.web).toEqual({ image: 'acme/web:1', network: 'none', pidsLimit: 64, env: { A: 'b' } });
    expect(o.templates.base?.network).toBe('bridge');
  });

  it('has no way to ask for privileges, mounts or the host network', () => {
    expect(validate({ templates: { x: { image: 'i', privileged: true } } }).join()).toContain(
      'templates.x.privileged: unknown key',
    );
    expect(validate({ templates: { x: { image: 'i', binds: ['/:/host'] } } }).join()).toContain(
      'templates.x.binds: unknown key',
    );
    expect(validate({ templates: { x: { image: 'i', network: 'host' } } }).join()).toContain('templates.x.network');
    expect(validate({ defaultNetwork: 'host' }).length).toBeGreaterThan(0);
    expect(validate({ privileged: true }).join()).toContain('should not exist');
  });

  it('names the bad template key', () => {
    expect(validate({ templates: { Bad: { image: '' } } }).join()).toMatch(
      /templates\.Bad: name must be lower-case.*templates\.Bad\.image/,
    );
    expect(validate({ templates: { x: { image: 'i', env: { 'NOT OK': 'v' } } } }).join()).toContain(
      'templates.x.env.NOT OK',
    );
    expect(validate({ pidsLimit: 5 }).length).toBeGreaterThan(0);
  });

  // Chromium's processes and threads outgrow the runtime-wide 256 (default-templates.ts).
  it('gives the browser template a pids limit of its own, which config can change but not drop by accident', () => {
    const defaults = resolveDockerRuntimeOptions({});
    expect(defaults.templates.browser).toEqual({
      image: 'sandboxed/browser:local',
      network: 'none',
      language: 'python',
      pidsLimit: BROWSER_PIDS_LIMIT,
      env: {},
    });
    expect(BROWSER_PIDS_LIMIT).toBeGreaterThanOrEqual(1024);
    expect(defaults.templates.python?.pidsLimit).toBeUndefined();
    const spec = sandboxSpec({ template: 'browser' });
    expect(buildContainerSpec(spec, defaults.templates.browser!, defaults, new Date()).HostConfig?.PidsLimit).toBe(
      BROWSER_PIDS_LIMIT,
    );
    expect(buildContainerSpec(spec, defaults.templates.python!, defaults, new Date()).HostConfig?.PidsLimit).toBe(256);

    const registry = { templates: { browser: { image: 'registry.example.com/sandboxed/browser:1' } } };
    expect(validate(registry)).toEqual([]);
    expect(resolveDockerRuntimeOptions(registry as never).templates.browser).toMatchObject({
      image: 'registry.example.com/sandboxed/browser:1',
      pidsLimit: BROWSER_PIDS_LIMIT,
    });
    expect(resolveDockerRuntimeOptions({ pidsLimit: 4096 }).templates.browser?.pidsLimit).toBe(4096);
    const own = { pidsLimit: 4096, templates: { browser: { image: 'b', pidsLimit: 600 } } };
    expect(validate(own)).toEqual([]);
    expect(resolveDockerRuntimeOptions(own as never).templates.browser?.pidsLimit).toBe(600);
  });

  // Issue 8, item 11: bridged sandboxes have no egress policy yet, so bridge is opt-in by name.
  it('refuses bridge networking unless allowUnrestrictedBridge says the operator accepts it', () => {
    expect(() => resolveDockerRuntimeOptions({ defaultNetwork: 'bridge' })).toThrow(
      /defaultNetwork: bridge.*allowUnrestrictedBridge: true/s,
    );
    expect(() =>
      resolveDockerRuntimeOptions({ templates: { web: { image: 'acme/web:1', network: 'bridge' } } }),
    ).toThrow(/templates\.web\.network: bridge.*link-local.*host.*other sandboxes.*allowUnrestrictedBridge: true/s);
    const allowed = resolveDockerRuntimeOptions({
      allowUnrestrictedBridge: true,
      templates: { web: { image: 'acme/web:1', network: 'bridge' } },
    });
    expect(allowed).toMatchObject({ allowUnrestrictedBridge: true, templates: { web: { network: 'bridge' } } });
    expect(resolveDockerRuntimeOptions({}).allowUnrestrictedBridge).toBe(false);
  });
});
