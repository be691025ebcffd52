import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { KubernetesRuntimeOptionsDto, resolveKubernetesRuntimeOptions } from './kubernetes-runtime-options.dto.js';

function problems(raw: Record<string, unknown>): string[] {
  const dto = plainToInstance(KubernetesRuntimeOptionsDto, raw);
  return validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }).flatMap((e) =>
    Object.values(e.constraints ?? {}),
  );
}

describe('runtime-kubernetes options', () => {
  it('defaults to the sandboxed namespace, the local images and managed NetworkPolicies', () => {
    const o = resolveKubernetesRuntimeOptions();
    expect(o).toMatchObject({
      kubeconfig: 'auto',
      namespace: 'sandboxed',
      networkPolicy: 'manage',
      readyTimeoutMs: 60_000,
      sandboxUid: 1000,
    });
    expect(o.templates.base).toMatchObject({
      image: 'sandboxed/base:local',
      egress: false,
      readOnlyRootFilesystem: true,
      imagePullPolicy: 'IfNotPresent',
    });
  });

  it('merges templates and lets one opt in to egress or a RuntimeClass', () => {
    const o = resolveKubernetesRuntimeOptions({
      templates: { web: { image: 'acme/web:1', egress: true, runtimeClassName: 'kata' } },
    });
    expect(o.templates.web).toMatchObject({ image: 'acme/web:1', egress: true, runtimeClassName: 'kata' });
    expect(o.templates.python).toBeDefined();
  });

  it('names what is wrong in a bad option', () => {
    expect(problems({ namespace: 'Not_A_Label' }).join()).toMatch(/namespace must be a DNS label/);
    expect(problems({ templates: { web: { image: 'x', privileged: true } } }).join()).toMatch(
      /templates.web.privileged: unknown key/,
    );
    expect(problems({ templates: { Web: { image: 'x' } } }).join()).toMatch(/DNS label/);
    expect(problems({ networkPolicy: 'off' }).join()).toMatch(/networkPolicy/);
    for (const agentImage of ['', 'a b', 'x:1; rm -rf /', '-x', 7])
      expect(problems({ agentImage }).join()).toMatch(/agentImage must be an image reference/);
  });

  it('takes an agent image, pulled with the runtime-wide policy; none by default', () => {
    expect(resolveKubernetesRuntimeOptions().agentImage).toBeUndefined();
    expect(problems({ agentImage: 'registry.example.com:5000/sandboxed/agent:b9c00f92c2090891' })).toEqual([]);
    expect(resolveKubernetesRuntimeOptions({ agentImage: 'r/agent:1', imagePullPolicy: 'Always' }).agentImage).toEqual({
      image: 'r/agent:1',
      imagePullPolicy: 'Always',
    });
  });
});
