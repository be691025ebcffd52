import type { Readable } from 'node:stream';
import { afterAll, expect, it } from '@jest/globals';
import type Docker from 'dockerode';
import { collectOutput } from '@sandboxed/plugin-sdk';
import { createDockerClient } from './docker-client.factory.js';
import { DockerRuntime } from './docker.runtime.js';
import { resolveDockerRuntimeOptions } from './docker-runtime-options.dto.js';
import { containerName } from './sandbox-labels.codec.js';
import { describeWithDocker, dockerUnavailableReason, quietLogger, sandboxSpec } from './docker-engine.spec-helper.js';

const reason = await dockerUnavailableReason();
const SLOW = 60_000;

/** Hijacked exec connections this process still holds open. */
function openExecSockets(): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => {
    const socket = h as { destroyed?: boolean; _httpMessage?: { path?: string } };
    return !socket.destroyed && /^\/exec\/[0-9a-f]+\/start$/.test(socket._httpMessage?.path ?? '');
  }).length;
}

type Race = 'remove' | 'stop';

/**
 * A dockerode client whose next `container.exec()` removes (or stops) the container right after
 * creating the exec: the DELETE lands exactly between exec create and exec start, every time.
 */
function racingClient(real: Docker): { docker: Docker; endpoint: string; afterNextExecCreate(race: Race): void } {
  let armed: Race | undefined;
  const wrap = <T extends object>(target: T, override: (key: PropertyKey) => unknown): T =>
    new Proxy(target, {
      get(t, key) {
        const o = override(key);
        if (o !== undefined) return o;
        const v = Reflect.get(t, key) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  const docker = wrap(real, (key) =>
    key === 'getContainer'
      ? (name: string) => {
          const container = real.getContainer(name);
          return wrap(container, (k) =>
            k === 'exec'
              ? async (opts: Docker.ExecCreateOptions) => {
                  const exec = await container.exec(opts);
                  if (armed === 'remove') await container.remove({ force: true, v: true });
                  if (armed === 'stop') await container.stop({ t: 0 });
                  armed = undefined;
                  return exec;
                }
              : undefined,
          );
        }
      : undefined,
  );
  return { docker, endpoint: 'racing', afterNextExecCreate: (race) => (armed = race) };
}

describeWithDocker('DockerRuntime racing a DELETE (issue 8, item 12)', reason, () => {
  const client = racingClient(createDockerClient().docker);
  const runtime = new DockerRuntime(resolveDockerRuntimeOptions({}), quietLogger, client);
  const created: string[] = [];

  async function create(): Promise<string> {
    const spec = sandboxSpec({ owner: 'race-spec' });
    created.push(spec.id);
    await runtime.create(spec);
    return spec.id;
  }

  afterAll(async () => {
    for (const id of created) await runtime.destroy(id).catch(() => undefined);
  }, SLOW);

  it(
    'an exec started after its sandbox went is a NotFoundError naming the sandbox, and leaks no connection',
    async () => {
      const id = await create();
      const before = openExecSockets();
      client.afterNextExecCreate('remove');
      const err = await runtime.exec(id, { argv: ['echo', 'hi'] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'not_found', status: 404 });
      expect((err as Error).message).toContain(id);
      expect(openExecSockets()).toBe(before);
    },
    SLOW,
  );

  it(
    'an exec whose sandbox is deleted while it runs rejects with NotFoundError',
    async () => {
      const id = await create();
      const session = await runtime.exec(id, { argv: ['sleep', '30'] });
      const out = collectOutput(session, { maxOutputBytes: 1024 }).then(
        (r) => r.exit,
        (e: unknown) => e,
      );
      await runtime.destroy(id);
      expect(await out).toMatchObject({ code: 'not_found' });
    },
    SLOW,
  );

  it(
    'an upload or download into a deleted sandbox is a NotFoundError',
    async () => {
      const id = await create();
      await runtime.destroy(id);
      const tar = await import('tar-stream');
      const pack = tar.pack();
      pack.entry({ name: 'a.txt' }, 'x');
      pack.finalize();
      await expect(runtime.putArchive(id, '/workspace', pack as unknown as Readable)).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(runtime.getArchive(id, '/workspace')).rejects.toMatchObject({ code: 'not_found' });
    },
    SLOW,
  );

  // Item 17: a 409 names the sandbox, never the engine's full container id.
  it(
    'an exec whose sandbox stopped before it started is a ConflictError naming the sandbox, not the container id',
    async () => {
      const id = await create();
      const fullId = (await createDockerClient().docker.getContainer(containerName(id)).inspect()).Id;
      client.afterNextExecCreate('stop');
      const err = await runtime.exec(id, { argv: ['true'] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'conflict', status: 409 });
      expect((err as Error).message).toContain(id);
      expect((err as Error).message).not.toContain(fullId.slice(0, 13));
      // The next exec starts the stopped sandbox again.
      const r = await collectOutput(await runtime.exec(id, { argv: ['echo', 'back'] }), { maxOutputBytes: 1024 });
      expect(r.stdout.toString()).toBe('back\n');
    },
    SLOW,
  );
});
