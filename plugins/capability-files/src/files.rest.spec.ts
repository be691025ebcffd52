import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestGateway } from '@sandboxed/testing';
import type { TestGateway } from '@sandboxed/testing';

/** The files capability through the real gateway and REST transport. */
describe('files over REST', () => {
  let gw: TestGateway;
  let base: string;

  const post = async (op: string, body: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base}/files/${op}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-files', 'transport-rest'],
      config: { limits: { files: { maxReadBytes: 65536 } } },
    });
    const res = await fetch(`${gw.url}/v1/sandboxes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(201);
    base = `${gw.url}/v1/sandboxes/${((await res.json()) as { id: string }).id}`;
  });
  afterAll(async () => gw?.close());

  it('writes, reads and edits JSON', async () => {
    expect(await post('write', { path: 'src/a.txt', content: 'hello world\n' })).toEqual({
      status: 200,
      body: { path: '/workspace/src/a.txt', size: 12 },
    });
    expect((await post('edit', { path: 'src/a.txt', oldText: 'world', newText: 'there' })).body).toEqual({
      path: '/workspace/src/a.txt',
      replacements: 1,
    });
    expect((await post('read', { path: 'src/a.txt' })).body).toMatchObject({ content: 'hello there\n' });
  });

  it('maps errors to statuses with the error envelope', async () => {
    const readOnly = await post('write', { path: '/usr/x', content: 'x' });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/Read-only/) });
    expect((await post('read', { path: '../../etc/shadow' })).status).toBe(404);
    expect((await post('read', { path: 'nope' })).status).toBe(404);
    expect((await post('edit', { path: 'src/a.txt', oldText: 'absent', newText: 'x' })).status).toBe(409);
    expect((await post('grep', { pattern: '(' })).status).toBe(400);
    expect((await post('write', { path: 'x', content: 'y', unknown: 1 })).status).toBe(400);
  });

  it('streams a 5 MB upload in and out byte for byte; JSON reads of it are 413', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const put = await fetch(`${base}/files/content?path=${encodeURIComponent('bin/blob.bin')}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ path: '/workspace/bin/blob.bin', size: data.length });

    const get = await fetch(`${base}/files/content?path=bin/blob.bin`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toContain('application/octet-stream');
    const back = Buffer.from(await get.arrayBuffer());
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));

    const tooBig = await post('read', { path: 'bin/blob.bin' });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.message).toContain('files/content');
    expect((await fetch(`${base}/files/content?path=bin`)).status).toBe(400);
    expect((await fetch(`${base}/files/content?path=missing`)).status).toBe(404);
  });

  it('documents every files operation in OpenAPI', async () => {
    const spec = (await (await fetch(`${gw.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const paths = Object.keys(spec.paths).filter((p) => p.includes('/files/'));
    for (const op of [
      'read',
      'write',
      'list',
      'stat',
      'mkdir',
      'delete',
      'move',
      'copy',
      'glob',
      'grep',
      'edit',
      'content',
    ]) {
      expect(paths.some((p) => p.endsWith(`/files/${op}`))).toBe(true);
    }
  });
});
