import { describe, it, expect, afterAll, beforeAll } from '@jest/globals';
import { startTestGateway, type TestGateway } from '@sandboxed/testing';

const CORE = ['runtime-local', 'capability-shell', 'transport-rest'];
const fixture = (name: string): string => `./test/fixtures/${name}`;

async function bootError(
  extraPlugins: Array<string | { use: string; options?: Record<string, unknown> }>,
): Promise<string> {
  try {
    const gw = await startTestGateway({ onlyPlugins: CORE, extraPlugins });
    await gw.close();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('gateway booted but should not have');
}

describe('plugin loader', () => {
  describe('a third-party plugin from a folder outside plugins/', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ onlyPlugins: CORE, extraPlugins: [fixture('acme-echo-plugin/index.ts')] });
    });
    afterAll(async () => gw?.close());

    it('registers a global operation that is called over REST', async () => {
      const res = await fetch(`${gw.url}/v1/acme/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hello' }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ echoed: 'HELLO', principal: 'local' });
    });

    it('registers a sandbox operation that reaches the runtime', async () => {
      const created = await fetch(`${gw.url}/v1/sandboxes`, { method: 'POST' });
      const { id } = (await created.json()) as { id: string };
      const res = await fetch(`${gw.url}/v1/sandboxes/${id}/hostname`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { hostname: string }).hostname).toBe('sandbox');
    });

    it('documents its operations in the OpenAPI spec', async () => {
      const spec = (await (await fetch(`${gw.url}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { operationId: string }>>;
      };
      expect(spec.paths['/v1/acme/echo'].post.operationId).toBe('acme.echo');
      expect(spec.paths['/v1/sandboxes/{id}/hostname'].post.operationId).toBe('acme.hostname');
    });
  });

  it('stops boot on a duplicate plugin id, naming it', async () => {
    expect(await bootError([fixture('acme-echo-plugin/index.ts'), fixture('acme-echo-plugin/index.ts')])).toMatch(
      /Plugin "acme-echo": duplicate id/,
    );
  });

  it('stops boot on an unmet requirement, naming both', async () => {
    expect(await bootError([fixture('bad-plugins/needs-missing.ts')])).toMatch(
      /Plugin "needs-missing": requires "capability-git"/,
    );
  });

  it('stops boot on an incompatible engine range', async () => {
    expect(await bootError([fixture('bad-plugins/future-engine.ts')])).toMatch(
      /Plugin "future-engine": targets engine \^7/,
    );
  });

  it('stops boot when a plugin fails to start, naming it', async () => {
    expect(await bootError([fixture('bad-plugins/broken-startup.ts')])).toMatch(
      /Plugin "broken-startup": failed to start: cannot reach the license server/,
    );
  });

  it('stops boot when a module does not export a plugin', async () => {
    expect(await bootError([fixture('bad-plugins/not-a-plugin.ts')])).toMatch(
      /does not export a plugin made by definePlugin/,
    );
  });

  it('stops boot on bad nested options, naming each key however deep', async () => {
    const message = await bootError([
      {
        use: fixture('bad-plugins/nested-options.ts'),
        options: { upstream: { url: 'not a url', retry: { attempts: 0 }, extra: 1 } },
      },
    ]);
    expect(message).toMatch(/Plugin "nested-options": invalid options: /);
    expect(message).toMatch(/options\.upstream\.url: url must be a URL address/);
    expect(message).toMatch(/options\.upstream\.retry\.attempts: attempts must not be less than 1/);
    expect(message).toMatch(/options\.upstream\.extra: unknown key/);
    expect(message).not.toMatch(/is invalid/);
  });

  it('stops boot when a plugin cannot be found', async () => {
    expect(await bootError(['@acme/does-not-exist'])).toMatch(/Plugin "@acme\/does-not-exist": cannot be imported/);
  });

  it('stops boot on a duplicate operation id, naming the plugin', async () => {
    expect(await bootError([fixture('bad-plugins/duplicate-op.ts')])).toMatch(
      /Plugin "duplicate-op".*Duplicate operation id "shell.exec"/,
    );
  });
});
