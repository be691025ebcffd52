import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from '@jest/globals';
import { DockerRuntime } from './docker.runtime.js';
import { resolveDockerRuntimeOptions } from './docker-runtime-options.dto.js';
import { describeWithDocker, dockerUnavailableReason, quietLogger, sandboxSpec } from './docker-engine.spec-helper.js';

const reason = await dockerUnavailableReason();

describeWithDocker('DockerRuntime state on the engine', reason, () => {
  const first = new DockerRuntime(resolveDockerRuntimeOptions({}), quietLogger);
  const created: string[] = [];

  async function create(overrides: Parameters<typeof sandboxSpec>[0] = {}): Promise<string> {
    const spec = sandboxSpec({ owner: `state-${randomBytes(4).toString('hex')}`, ...overrides });
    created.push(spec.id);
    await first.create(spec);
    return spec.id;
  }

  afterAll(async () => {
    for (const id of created) await first.destroy(id).catch(() => undefined);
  }, 60_000);

  it('lets a second gateway process see what the first created', async () => {
    const owner = `shared-${randomBytes(4).toString('hex')}`;
    const id = await create({ owner, labels: { team: 'a', 'app.kubernetes.io/name': 'x' } });
    const second = new DockerRuntime(resolveDockerRuntimeOptions({}), quietLogger);
    const listed = await second.list({ owner });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id,
      owner,
      template: 'base',
      labels: { team: 'a', 'app.kubernetes.io/name': 'x' },
      status: 'running',
    });
    expect((await second.list({ labels: { team: 'a' } })).map((s) => s.id)).toContain(id);
    expect((await second.list({ labels: { team: 'b' } })).map((s) => s.id)).not.toContain(id);
  });

  it('reconciles at boot: adopts live sandboxes and reaps expired ones', async () => {
    const live = await create();
    const expired = await create({ expiresAt: new Date(Date.now() - 1000) });
    const restarted = new DockerRuntime(resolveDockerRuntimeOptions({}), quietLogger);
    const result = await restarted.reconcile();
    expect(result.adopted).toContain(live);
    expect(result.reaped).toContain(expired);
    expect(await restarted.get(expired)).toBeUndefined();
    expect(await restarted.get(live)).toMatchObject({ id: live, status: 'running' });
  }, 30_000);

  it('removes at boot the disk volumes of a sandbox removed without them', async () => {
    const id = await create();
    const { createDockerClient } = await import('./docker-client.factory.js');
    const { containerName } = await import('./sandbox-labels.codec.js');
    const { docker } = createDockerClient();
    const container = docker.getContainer(containerName(id));
    const volumes = (await container.inspect()).Mounts.map((m) => m.Name!);
    expect(volumes.length).toBeGreaterThan(0);
    await container.remove({ force: true }); // as `docker rm -f`, without -v
    await new DockerRuntime(resolveDockerRuntimeOptions({}), quietLogger).reconcile();
    for (const name of volumes) {
      await expect(docker.getVolume(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
    }
  }, 30_000);

  it('restarts a stopped sandbox on the next exec', async () => {
    const id = await create();
    const { createDockerClient } = await import('./docker-client.factory.js');
    const { containerName } = await import('./sandbox-labels.codec.js');
    await createDockerClient().docker.getContainer(containerName(id)).stop({ t: 0 });
    expect(await first.get(id)).toMatchObject({ status: 'stopped' });
    const { collectOutput } = await import('@sandboxed/plugin-sdk');
    const r = await collectOutput(await first.exec(id, { argv: ['echo', 'back'] }), { maxOutputBytes: 1024 });
    expect(r.stdout.toString()).toBe('back\n');
  }, 30_000);

  it("checks the engine's runc at boot, and warns with its version and each fix it lacks", async () => {
    const warnings: string[] = [];
    const runtime = new DockerRuntime(resolveDockerRuntimeOptions({}), {
      log: () => undefined,
      warn: (m) => warnings.push(m),
    });
    const assessment = await runtime.checkRunc();
    expect(assessment?.version).toMatch(/^\d+\.\d+\.\d+/);
    const expected = assessment!.missing.length ? [expect.stringContaining(`runc ${assessment!.version}`)] : [];
    expect(warnings).toEqual(expected);
    for (const finding of assessment!.missing) expect(warnings[0]).toContain(finding.cve);
  });

  it('rejects an unknown template with the list of templates', async () => {
    await expect(first.create(sandboxSpec({ template: 'cobol' }))).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('available: base, python, node'),
    });
  });

  it('names a missing image and how to build it, without hanging', async () => {
    const runtime = new DockerRuntime(
      resolveDockerRuntimeOptions({ templates: { ghost: { image: 'sandboxed/ghost:local' } } }),
      quietLogger,
    );
    const started = Date.now();
    const err = await runtime.create(sandboxSpec({ template: 'ghost' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unavailable', status: 503 });
    expect((err as Error).message).toContain('sandboxed/ghost:local');
    expect((err as Error).message).toContain('npm run images:local');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

it('reports an unreachable engine as 503, quickly', async () => {
  const socketPath = `/tmp/no-docker-${randomBytes(4).toString('hex')}.sock`;
  const runtime = new DockerRuntime(resolveDockerRuntimeOptions({ socketPath }), quietLogger);
  const started = Date.now();
  const err = await runtime.create(sandboxSpec()).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'unavailable', status: 503 });
  expect((err as Error).message).toContain(`Docker engine is unreachable at ${socketPath}`);
  expect(Date.now() - started).toBeLessThan(2000);
  await expect(runtime.list()).rejects.toMatchObject({ code: 'unavailable' });
  await expect(runtime.exec('abc', { argv: ['true'] })).rejects.toMatchObject({ code: 'unavailable' });
});
