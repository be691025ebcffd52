import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CHROMIUM,
  CHROMIUM_TEST_FLAGS,
  FONT_PAGE,
  HttpClient,
  startTestGateway,
  type TestGateway,
} from '@sandboxed/testing';

/**
 * The local runtime's browser is the host's Chromium, seen through the sandbox's read-only /usr.
 * Fonts come from /usr/share/fonts, but fontconfig's config is /etc/fonts: without it on the /etc
 * allowlist, every family falls back to one font. Over real HTTP against real bubblewrap sandboxes.
 */

describe('the host Chromium in a local sandbox', () => {
  let gw: TestGateway;
  let api: HttpClient;
  let id: string;

  const exec = async (argv: string[]) => {
    const res = await api.post(`/v1/sandboxes/${id}/exec`, { argv, timeoutMs: 60_000 });
    expect(res.status).toBe(200);
    return res.body as { stdout: string; stderr: string; exitCode: number; timedOut: boolean };
  };

  beforeAll(async () => {
    // .ci/run installs it; a machine without it fails here rather than skipping.
    expect(existsSync(CHROMIUM)).toBe(true);
    gw = await startTestGateway({ onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'] });
    api = new HttpClient(gw.url);
    id = await api.createSandbox({ resources: { memoryMb: 1024 } });
  }, 60_000);
  afterAll(async () => gw?.close(), 60_000);

  it('dumps a page', async () => {
    const r = await exec([
      CHROMIUM,
      ...CHROMIUM_TEST_FLAGS,
      '--user-data-dir=/tmp/p1',
      '--dump-dom',
      'data:text/html,<title>x</title><p>hi',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('<p>hi</p>');
  }, 90_000);

  it('renders text with fontconfig: the generic families are different fonts', async () => {
    const r = await exec([
      CHROMIUM,
      ...CHROMIUM_TEST_FLAGS,
      '--user-data-dir=/tmp/p2',
      '--dump-dom',
      `data:text/html,${encodeURIComponent(FONT_PAGE)}`,
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toContain('Fontconfig error');
    const measured = JSON.parse(/<title>(.*)<\/title>/.exec(r.stdout)?.[1] ?? 'null') as Record<string, number>;
    expect(measured.ink).toBeGreaterThan(500);
    // With one fallback font for everything, all three widths are equal.
    expect(measured.mono).toBeGreaterThan(measured.sans!);
    expect(measured.serif).not.toBe(measured.mono);

    const match = await exec(['fc-match', 'monospace']);
    expect(match.stderr).toBe('');
    expect(match.stdout).toMatch(/Mono/);
  }, 90_000);
});
